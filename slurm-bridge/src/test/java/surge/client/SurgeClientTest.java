package surge.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.FakeSurgeServer.Frame;
import surge.client.FakeSurgeServer.Request;

class SurgeClientTest {
  private static final byte[] WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  @TempDir Path dir;
  private FakeSurgeServer server;
  private SurgeClient client;

  @BeforeEach
  void start() throws Exception {
    server = new FakeSurgeServer();
    client = new SurgeClient(server.uri());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void uploadsAKernelTheServerDoesNotHaveAfterAskingWithHead() throws Exception {
    Path kernel = Files.write(dir.resolve("k.wasm"), WASM);

    StoredBlob stored = client.uploadKernel(kernel);

    assertThat(stored.sha256()).isEqualTo(Sha256.of(WASM)).hasSize(64);
    assertThat(server.requests())
        .extracting(Request::method, Request::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("HEAD", "/api/kernels/" + Sha256.of(WASM)),
            org.assertj.core.groups.Tuple.tuple("POST", "/api/kernels"));
    Request post = server.requests("POST", "/api/kernels").get(0);
    assertThat(post.body()).isEqualTo(WASM);
    assertThat(post.contentType()).isEqualTo("application/wasm");
  }

  @Test
  void skipsTheUploadWhenHeadFindsTheKernel() throws Exception {
    server.storeKernel(WASM);
    Path kernel = Files.write(dir.resolve("k.wasm"), WASM);

    StoredBlob stored = client.uploadKernel(kernel);

    assertThat(stored.sha256()).isEqualTo(Sha256.of(WASM));
    assertThat(stored.size()).isEqualTo(WASM.length);
    assertThat(server.requests("POST", "/api/kernels")).isEmpty();
    assertThat(server.requests("HEAD", "/api/kernels/")).hasSize(1);
  }

  @Test
  void aRefusedKernelCarriesTheServersMessageAndField() throws Exception {
    server.refuseKernels("kernel imports env.emscripten_memcpy_big");
    Path kernel = Files.write(dir.resolve("k.wasm"), WASM);

    assertThatThrownBy(() -> client.uploadKernel(kernel))
        .isInstanceOfSatisfying(
            SurgeApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.getMessage()).isEqualTo("kernel imports env.emscripten_memcpy_big");
              assertThat(e.field()).contains("kernel");
              assertThat(e.isRefusal()).isTrue();
            });
  }

  @Test
  void uploadsInputsAsOctetStreams() throws Exception {
    byte[] data = "a\nb\nc\n".getBytes();
    StoredBlob stored = client.uploadInput(Files.write(dir.resolve("in.txt"), data));

    assertThat(stored.sha256()).isEqualTo(Sha256.of(data));
    assertThat(stored.size()).isEqualTo(data.length);
    Request post = server.requests("POST", "/api/inputs").get(0);
    assertThat(post.contentType()).isEqualTo("application/octet-stream");
    assertThat(post.body()).isEqualTo(data);
  }

  @Test
  void submitsTheSpecAsJsonAndReadsTheStatus() throws Exception {
    server.storeKernel(WASM);
    JobSpec spec =
        JobSpec.builder(Sha256.of(WASM), 16)
            .name("pi")
            .args(List.of("200000", "{index}"))
            .env(Map.of("MODE", "fast"))
            .merge(JobSpec.Merge.of(JobSpec.MergeKind.SUM))
            .build();
    server.scriptNextJob(new byte[0], Frame.of(JobState.QUEUED, 0));

    JobStatus status = client.submit(spec);

    assertThat(status.id()).isEqualTo("j-000001");
    assertThat(status.state()).isEqualTo(JobState.QUEUED);
    assertThat(status.tasks().total()).isEqualTo(16);
    Request post = server.requests("POST", "/api/jobs").get(0);
    assertThat(post.contentType()).isEqualTo("application/json");
    assertThat(post.json().get("merge").get("kind").asText()).isEqualTo("sum");
    assertThat(post.json().get("args").get(1).asText()).isEqualTo("{index}");
    assertThat(post.json().has("deadline")).isFalse();
  }

  @Test
  void followsAJobToSuccessAndDownloadsTheResultByteForByte() throws Exception {
    server.storeKernel(WASM);
    byte[] result = new byte[512];
    for (int i = 0; i < result.length; i++) {
      result[i] = (byte) (255 - i % 256);
    }
    server.scriptNextJob(
        result,
        Frame.of(JobState.QUEUED, 0),
        Frame.of(JobState.RUNNING, 1),
        Frame.of(JobState.MERGING, 4),
        Frame.of(JobState.SUCCEEDED, 4));
    String id = client.submit(JobSpec.builder(Sha256.of(WASM), 4).build()).id();

    assertThat(client.status(id).state()).isEqualTo(JobState.RUNNING);
    assertThat(client.status(id).state()).isEqualTo(JobState.MERGING);
    JobStatus done = client.status(id);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    long size = client.result(id, sink);

    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.resultSize()).isEqualTo(512L);
    assertThat(size).isEqualTo(512);
    assertThat(sink.toByteArray()).isEqualTo(result).contains((byte) 0x00, (byte) 0xFF);
  }

  @Test
  void aResultBeforeSuccessIsAConflict() throws Exception {
    server.storeKernel(WASM);
    server.scriptNextJob(new byte[] {1}, Frame.of(JobState.RUNNING, 0));
    String id = client.submit(JobSpec.builder(Sha256.of(WASM), 2).build()).id();

    assertThatThrownBy(() -> client.result(id, new ByteArrayOutputStream()))
        .isInstanceOfSatisfying(
            SurgeApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.getMessage()).isEqualTo("job j-000001 is RUNNING");
            });
  }

  @Test
  void readsAFailedJobsErrorWithTheTasksStderrTail() throws Exception {
    server.storeKernel(WASM);
    server.scriptNextJob(new byte[0], Frame.failed(3, 3, 2, "oops\nbad input"));
    String id = client.submit(JobSpec.builder(Sha256.of(WASM), 8).build()).id();

    JobStatus status = client.status(id);

    assertThat(status.state()).isEqualTo(JobState.FAILED);
    assertThat(status.failure())
        .hasValueSatisfying(
            f -> {
              assertThat(f.message()).isEqualTo("task 3 exited with code 2");
              assertThat(f.task()).isEqualTo(3);
              assertThat(f.exitCode()).isEqualTo(2);
              assertThat(f.stderr()).contains("oops\nbad input");
            });
  }

  @Test
  void cancelsAndListsJobsFilteredByState() throws Exception {
    server.storeKernel(WASM);
    server.scriptNextJob(new byte[0], Frame.of(JobState.RUNNING, 0));
    String first = client.submit(JobSpec.builder(Sha256.of(WASM), 2).build()).id();
    String second = client.submit(JobSpec.builder(Sha256.of(WASM), 2).build()).id();

    assertThat(client.cancel(first).state()).isEqualTo(JobState.CANCELLED);
    List<JobStatus> running = client.jobs(Optional.of(JobState.RUNNING), OptionalInt.of(10));
    List<JobStatus> all = client.jobs(Optional.empty(), OptionalInt.empty());

    assertThat(running).extracting(JobStatus::id).containsExactly(second);
    assertThat(all).extracting(JobStatus::id).containsExactly(second, first);
    assertThat(server.requests("GET", "/api/jobs"))
        .extracting(Request::query)
        .containsExactly("state=RUNNING&limit=10", null);
  }

  @Test
  void anUnknownJobIsA404WithTheServersMessage() {
    assertThatThrownBy(() -> client.status("j-999999"))
        .isInstanceOfSatisfying(
            SurgeApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.describe()).isEqualTo("no job j-999999 (field: id)");
            });
  }

  @Test
  void encodesJobIdsSoTheyCannotChangeThePath() throws Exception {
    assertThatThrownBy(() -> client.status("../kernels/x y")).isInstanceOf(SurgeApiException.class);

    assertThat(server.requests().get(0).path()).isEqualTo("/api/jobs/..%2Fkernels%2Fx%20y");
  }

  @Test
  void aServerThatDoesNotListenIsUnreachableWithAReason() throws Exception {
    SurgeClient nowhere = new SurgeClient(FakeSurgeServer.unreachableUri());

    assertThatThrownBy(() -> nowhere.status("j-1"))
        .isInstanceOfSatisfying(
            SurgeUnreachableException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("connection refused");
              assertThat(e.getMessage())
                  .startsWith("cannot reach the Surge server at " + nowhere.server() + ": ");
            });
  }

  @Test
  void keepsAPathPrefixAndDropsATrailingSlash() throws Exception {
    SurgeClient prefixed = new SurgeClient(java.net.URI.create(server.uri() + "/surge/"));

    assertThatThrownBy(() -> prefixed.status("j-1")).isInstanceOf(SurgeApiException.class);

    assertThat(prefixed.server().toString()).isEqualTo(server.uri() + "/surge");
    assertThat(server.requests().get(0).path()).isEqualTo("/surge/api/jobs/j-1");
  }
}
