package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import surge.client.FakeSurgeServer;
import surge.client.FakeSurgeServer.Frame;
import surge.client.JobSpec;
import surge.client.JobState;
import surge.client.Sha256;
import surge.client.SurgeClient;

/** What the shutdown hook does on Ctrl-C, run directly instead of by a real SIGINT. */
class CancelOnInterruptTest {
  private static final byte[] WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private FakeSurgeServer server;
  private SurgeClient client;
  private String jobId;

  @BeforeEach
  void start() throws Exception {
    server = new FakeSurgeServer();
    server.storeKernel(WASM);
    server.scriptNextJob(new byte[0], Frame.of(JobState.RUNNING, 0));
    client = new SurgeClient(server.uri());
    jobId = client.submit(JobSpec.builder(Sha256.of(WASM), 4).build()).id();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private CancelOnInterrupt guard() {
    CancelOnInterrupt guard = new CancelOnInterrupt(client, err, TIMEOUT);
    guard.watch(jobId);
    return guard;
  }

  @Test
  void anInterruptWhileWaitingCancelsTheJob() throws Exception {
    guard().run();

    assertThat(server.requests("POST", "/api/jobs/" + jobId + "/cancel")).hasSize(1);
    assertThat(client.status(jobId).state()).isEqualTo(JobState.CANCELLED);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("surge: interrupted; cancelled job " + jobId + " (now CANCELLED)");
  }

  @Test
  void afterTheWaitEndsAnInterruptLeavesTheJobAlone() {
    CancelOnInterrupt guard = CancelOnInterrupt.install(client, err, TIMEOUT);
    guard.watch(jobId);
    guard.close();

    guard.run();

    assertThat(server.requests("POST", "/api/jobs/" + jobId + "/cancel")).isEmpty();
    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void whenTheServerIsGoneSaysHowToCancelLater() {
    server.close();

    guard().run();

    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("could not cancel job " + jobId)
        .contains("surge cancel " + jobId);
  }
}
