package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.FakeSurgeServer;
import surge.client.FakeSurgeServer.Frame;
import surge.client.JobSpec;
import surge.client.JobState;
import surge.client.Sha256;
import surge.client.SurgeClient;

/** {@code surge status | result | cancel | jobs} against a fake server. */
class JobCommandsTest {
  private static final byte[] WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  @TempDir Path dir;
  private FakeSurgeServer server;
  private SurgeClient client;

  @BeforeEach
  void start() throws Exception {
    server = new FakeSurgeServer();
    server.storeKernel(WASM);
    client = new SurgeClient(server.uri());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Submits a job that shows {@code frame} from its first poll on. */
  private String job(String name, byte[] result, Frame frame) throws Exception {
    server.scriptNextJob(result, frame, frame);
    return client.submit(JobSpec.builder(Sha256.of(WASM), 8).name(name).build()).id();
  }

  private CliRun surge(String command, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = command;
    all[1] = "--server=" + server.uri();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRun.run(all);
  }

  @Test
  void statusIsOneLine() throws Exception {
    String id = job("pi", new byte[0], Frame.of(JobState.RUNNING, 3));

    CliRun run = surge("status", id);

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout())
        .isEqualTo(id + " pi: RUNNING, 3/8 tasks done (3 queued, 2 leased, 0 failed)\n");
  }

  @Test
  void statusOfAFailedJobGivesTheReasonAndTheStderrTail() throws Exception {
    String id = job(null, new byte[0], Frame.failed(2, 5, 1, "panic: x\n"));

    CliRun run = surge("status", id);

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout())
        .isEqualTo(
            id
                + ": FAILED, 2/8 tasks done (0 queued, 0 leased, 1 failed):"
                + " task 5 exited with code 1\n  panic: x\n");
  }

  @Test
  void statusSaysHowTheResultWasVerified() throws Exception {
    String id =
        job(
            "pi",
            new byte[0],
            Frame.of(JobState.SUCCEEDED, 8)
                .verified(
                    "verified: 8 tasks, 1.18× work, 3 disagreements, 1 volunteer blacklisted"));

    CliRun run = surge("status", id);

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout())
        .isEqualTo(
            id
                + " pi: SUCCEEDED, 8/8 tasks done (0 queued, 0 leased, 0 failed)\n"
                + "verification: verified: 8 tasks, 1.18× work, 3 disagreements, 1 volunteer"
                + " blacklisted\n");
  }

  @Test
  void aFailedJobsVerificationFollowsItsStderrTail() throws Exception {
    String id =
        job(
            null,
            new byte[0],
            Frame.failed(2, 5, 1, "panic: x\n")
                .verified("not verified: 2 of 8 tasks reached 1e-4, 1.00× work"));

    CliRun run = surge("status", id);

    assertThat(run.stdout())
        .endsWith(
            " task 5 exited with code 1\n  panic: x\n"
                + "verification: not verified: 2 of 8 tasks reached 1e-4, 1.00× work\n");
  }

  @Test
  void aVerificationSummaryCannotActOnTheTerminal() throws Exception {
    String id =
        job("pi", new byte[0], Frame.of(JobState.RUNNING, 3).verified("ok\u001b[2J\u202Edone"));

    CliRun run = surge("status", id);

    assertThat(run.stdout()).endsWith("verification: ok\\u001b[2J\\u202edone\n");
  }

  @Test
  void statusJsonIsWhatTheServerSent() throws Exception {
    String id = job("pi", new byte[0], Frame.of(JobState.RUNNING, 3));

    CliRun run = surge("status", "--json", id);

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout()).isEqualTo(client.statusJson(id) + "\n");
    assertThat(run.stdout()).startsWith("{\"id\":\"" + id + "\"");
  }

  @Test
  void statusOfAnUnknownJobIsARefusal() {
    CliRun run = surge("status", "j-424242");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .isEqualTo("surge: the server refused the request: no job j-424242 (field: id)\n");
  }

  @Test
  void resultWritesBytesToStdoutOrAFile() throws Exception {
    byte[] result = {0x00, (byte) 0xFF, '\n', (byte) 0x80};
    String id = job("r", result, Frame.of(JobState.SUCCEEDED, 8));
    Path file = dir.resolve("out.bin");

    CliRun toStdout = surge("result", id);
    CliRun toFile = surge("result", id, "--output", file.toString());

    assertThat(toStdout.exitCode()).isZero();
    assertThat(toStdout.stdoutBytes()).isEqualTo(result);
    assertThat(toFile.exitCode()).isZero();
    assertThat(toFile.stdoutBytes()).isEmpty();
    assertThat(Files.readAllBytes(file)).isEqualTo(result);
  }

  @Test
  void resultOfAFailedJobReportsTheFailureWithExitOne() throws Exception {
    String id = job(null, new byte[0], Frame.failed(1, 0, 3, "boom"));

    CliRun run = surge("result", id);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr())
        .isEqualTo("surge: job " + id + " failed: task 0 exited with code 3\n  boom\n");
  }

  @Test
  void resultOfARunningJobIsNotReady() throws Exception {
    String id = job(null, new byte[0], Frame.of(JobState.RUNNING, 2));

    CliRun run = surge("result", id);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .isEqualTo(
            "surge: job "
                + id
                + " has not ended yet (RUNNING, 2/8 tasks done);"
                + " its result is not ready\n");
  }

  @Test
  void resultIntoAMissingDirectoryIsAUsageError() {
    CliRun run = surge("result", "j-1", "--output", dir.resolve("no/such/dir/r").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--output: cannot write");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void cancelCancelsAndPrintsTheNewState() throws Exception {
    String id = job("long", new byte[0], Frame.of(JobState.RUNNING, 1));

    CliRun run = surge("cancel", id);

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout()).startsWith(id + " long: CANCELLED");
    assertThat(server.requests("POST", "/api/jobs/" + id + "/cancel")).hasSize(1);
  }

  @Test
  void jobsListsNewestFirstAndFiltersByState() throws Exception {
    String older = job("a", new byte[0], Frame.of(JobState.RUNNING, 1));
    String newer = job("b", new byte[0], Frame.of(JobState.QUEUED, 0));

    CliRun all = surge("jobs");
    CliRun running = surge("jobs", "--state", "running");

    assertThat(all.exitCode()).isZero();
    assertThat(all.stdout().lines())
        .hasSize(3)
        .element(1)
        .asString()
        .startsWith(newer)
        .contains("QUEUED", "0/8", "b");
    assertThat(all.stdout().lines().toList().get(2)).startsWith(older);
    assertThat(running.stdout().lines()).hasSize(2).last().asString().startsWith(older);
    assertThat(server.requests("GET", "/api/jobs"))
        .extracting(FakeSurgeServer.Request::query)
        .containsExactly(null, "state=RUNNING");
  }

  @Test
  void jobsWithAnUnknownStateIsAUsageError() {
    CliRun run = surge("jobs", "--state", "SLEEPING");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--state").contains("SLEEPING");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void noJobsSaysSoOnStderr() {
    CliRun run = surge("jobs", "--state", "FAILED");

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr()).isEqualTo("surge: no jobs in state FAILED\n");
  }
}
