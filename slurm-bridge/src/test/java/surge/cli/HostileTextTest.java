package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.FakeSurgeServer;
import surge.client.FakeSurgeServer.Frame;
import surge.client.JobSpec;
import surge.client.JobState;
import surge.client.JobStatus;
import surge.client.Sha256;
import surge.client.SurgeClient;

/**
 * Text that others wrote (a job name from another user, a volunteer's stderr, a server's error)
 * never reaches the terminal with its control characters: ESC[2J (clear the screen), NUL, U+202E
 * (right-to-left override), newlines that fake a line of their own. And the CLI refuses such a name
 * at submit, naming the field.
 */
class HostileTextTest {
  private static final byte[] WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  private static final String NAME = "pi\u001b[2J\u0000\u202Etxt.exe\nsurge: job succeeded";
  private static final String SAFE_NAME =
      "pi\\u001b[2J\\u0000\\u202etxt.exe\\u000asurge: job succeeded";

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

  private String job(String name, Frame frame) throws Exception {
    server.scriptNextJob(new byte[0], frame, frame);
    return client.submit(JobSpec.builder(Sha256.of(WASM), 8).name(name).build()).id();
  }

  private CliRun surge(String... args) {
    String[] all = new String[args.length + 1];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server=" + server.uri();
    return CliRun.run(all);
  }

  private static void assertNoControls(String printed) {
    assertThat(printed).doesNotContain("\u001b", "\u0000", "\u202E", "\r", "\u009b");
  }

  @Test
  void statusEscapesTheNameAndTheVolunteersStderr() throws Exception {
    String id = job(NAME, Frame.failed(2, 5, 1, "\u001b]0;owned\u0007panic\r\u001b[1;31mok\n"));

    CliRun run = surge("status", id);

    assertThat(run.exitCode()).isZero();
    assertNoControls(run.stdout());
    assertThat(run.stdout())
        .isEqualTo(
            id
                + " "
                + SAFE_NAME
                + ": FAILED, 2/8 tasks done (0 queued, 0 leased, 1 failed):"
                + " task 5 exited with code 1\n"
                + "  \\u001b]0;owned\\u0007panic\\u000d\\u001b[1;31mok\n");
  }

  @Test
  void statusJsonKeepsTheSameJsonButEscapesWhatJsonLeavesRaw() throws Exception {
    String id = job("a\u202Eb\u009bc", Frame.of(JobState.RUNNING, 1));

    CliRun run = surge("status", "--json", id);

    assertNoControls(run.stdout());
    assertThat(run.stdout()).contains("\"name\":\"a\\u202eb\\u009bc\"");
    String name =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(run.stdout())
            .path("name")
            .asText();
    assertThat(name).isEqualTo("a\u202Eb\u009bc");
  }

  @Test
  void jobsListEscapesNamesSoOneJobIsOneLine() throws Exception {
    job(NAME, Frame.of(JobState.RUNNING, 1));

    CliRun run = surge("jobs");

    assertNoControls(run.stdout());
    assertThat(run.stdout().lines()).hasSize(2);
    assertThat(run.stdout()).contains(SAFE_NAME);
  }

  @Test
  void aFailedWaitEscapesTheReasonAndTheStderrTail() throws Exception {
    Path kernel = Files.write(dir.resolve("k.wasm"), WASM);
    server.scriptNextJob(
        new byte[0], Frame.of(JobState.RUNNING, 0), Frame.failed(0, 1, 2, "\u001b[2Jgone\n"));

    CliRun run = surge("submit", "--kernel", kernel.toString(), "--tasks", "2", "--wait");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.JOB_FAILED);
    assertNoControls(run.stderr());
    assertThat(run.stderr()).contains("  \\u001b[2Jgone");
  }

  @Test
  void aServerErrorIsOneEscapedLine() throws Exception {
    Path kernel = Files.write(dir.resolve("k.wasm"), WASM);
    server.refuseJobs("bad\u001b[2J\nsurge: job j-000009 succeeded\u202E", "name\u0000");

    CliRun run = surge("submit", "--kernel", kernel.toString(), "--tasks", "2");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertNoControls(run.stderr());
    assertThat(run.stderr().lines()).hasSize(1);
    assertThat(run.stderr())
        .contains("bad\\u001b[2J\\u000asurge: job j-000009 succeeded\\u202e (field: name\\u0000)");
  }

  @Test
  void theProgressBarShowsNoServerText() {
    JobStatus status =
        new JobStatus(
            "j-1\u001b[2J",
            NAME,
            JobState.RUNNING,
            new JobStatus.TaskCounts(4, 1, 1, 2, 0),
            null,
            null,
            null,
            null,
            null,
            null,
            null);

    String line = ProgressBar.render(status, Duration.ofSeconds(3), 10);

    assertNoControls(line);
    assertThat(line).doesNotContain("pi").startsWith("[#####.....] 2/4 tasks");
  }

  @Test
  void aNameWithControlCharactersIsRefusedAtSubmitBeforeAnyUpload() throws Exception {
    Path kernel = Files.write(dir.resolve("k.wasm"), WASM);

    CliRun run =
        surge("submit", "--kernel", kernel.toString(), "--tasks", "2", "--name", "pi\u001b[2J");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr())
        .startsWith(
            "surge submit: --name: a job name may not hold control or bidirectional-override"
                + " characters, found U+001B at character 3: 'pi\\u001b[2J'\n");
    assertNoControls(run.stderr());
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void aNameWithARightToLeftOverrideIsRefusedToo() throws Exception {
    Path kernel = Files.write(dir.resolve("k.wasm"), WASM);

    CliRun run =
        CliRun.run(
            Map.of(),
            "submit",
            "--server=" + server.uri(),
            "--kernel",
            kernel.toString(),
            "--tasks",
            "2",
            "--name",
            "report\u202Efdp.exe");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr()).contains("found U+202E at character 7");
  }
}
