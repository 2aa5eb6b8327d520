package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
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
import surge.client.JobState;
import surge.client.Sha256;

/** {@code surge submit} against a fake server that plays docs/api.md. */
class SubmitCommandTest {
  private static final byte[] WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  private static final byte[] REDUCER = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x7f};

  @TempDir Path dir;
  private FakeSurgeServer server;
  private String kernel;

  @BeforeEach
  void start() throws Exception {
    server = new FakeSurgeServer();
    kernel = Files.write(dir.resolve("pi.wasm"), WASM).toString();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private CliRun submit(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "submit";
    all[1] = "--server=" + server.uri();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRun.run(all);
  }

  @Test
  void withoutWaitPrintsTheJobIdAndSendsTheSpec() throws Exception {
    String input = Files.writeString(dir.resolve("in.txt"), "1\n2\n3\n").toString();

    CliRun run =
        submit(
            "--kernel",
            kernel,
            "--tasks",
            "3",
            "--input",
            input,
            "--split",
            "bytes",
            "--arg",
            "200000",
            "--arg",
            "{index}",
            "--env",
            "MODE=fast",
            "--merge",
            "sum",
            "--priority",
            "5",
            "--deadline",
            "1h30m",
            "--name",
            "pi");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo("j-000001\n");
    JsonNode spec = server.requests("POST", "/api/jobs").get(0).json();
    assertThat(spec.get("kernel").asText()).isEqualTo(Sha256.of(WASM));
    assertThat(spec.get("tasks").asInt()).isEqualTo(3);
    assertThat(spec.get("input").get("sha256").asText())
        .isEqualTo(Sha256.of("1\n2\n3\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(spec.get("input").get("split").asText()).isEqualTo("bytes");
    assertThat(spec.get("args").toString()).isEqualTo("[\"200000\",\"{index}\"]");
    assertThat(spec.get("env").get("MODE").asText()).isEqualTo("fast");
    assertThat(spec.get("merge").get("kind").asText()).isEqualTo("sum");
    assertThat(spec.get("priority").asInt()).isEqualTo(5);
    assertThat(spec.get("deadline").asText())
        .isEqualTo(CliRun.NOW.plus(Duration.ofMinutes(90)).toString());
    assertThat(spec.get("name").asText()).isEqualTo("pi");
  }

  @Test
  void theInputSplitsIntoLinesUnlessToldOtherwise() throws Exception {
    String input = Files.writeString(dir.resolve("in.txt"), "a\nb\n").toString();

    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--input", input);

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    JsonNode spec = server.requests("POST", "/api/jobs").get(0).json();
    assertThat(spec.get("input").get("split").asText()).isEqualTo("lines");
    assertThat(spec.has("merge")).isFalse();
    assertThat(spec.has("deadline")).isFalse();
  }

  @Test
  void aTaskTimeoutIsSentInWholeSecondsAndLeftOutWhenNotGiven() {
    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--task-timeout", "2m30s");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(server.requests("POST", "/api/jobs").get(0).json().get("taskTimeout").asLong())
        .isEqualTo(150);
    CliRun plain = submit("--kernel", kernel, "--tasks", "2");
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(server.requests("POST", "/api/jobs").get(1).json().has("taskTimeout")).isFalse();
  }

  @Test
  void aTaskTimeoutThatIsNotADurationIsRefusedBeforeAnyUpload() {
    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--task-timeout", "10 minutes");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr()).contains("--task-timeout").contains("expected a duration");
    assertThat(server.requests("POST", "/api/kernels")).isEmpty();
  }

  @Test
  void aKernelTheServerHasIsNotSentAgain() {
    server.storeKernel(WASM);

    CliRun run = submit("--kernel", kernel, "--tasks", "2");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(server.requests("HEAD", "/api/kernels/")).hasSize(1);
    assertThat(server.requests("POST", "/api/kernels")).isEmpty();
  }

  @Test
  void aReduceMergeUploadsTheReducerAndNamesIt() throws Exception {
    String reducer = Files.write(dir.resolve("sum.wasm"), REDUCER).toString();

    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--merge", "reduce:" + reducer);

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(server.requests("POST", "/api/kernels"))
        .extracting(FakeSurgeServer.Request::body)
        .containsExactlyInAnyOrder(WASM, REDUCER);
    JsonNode merge = server.requests("POST", "/api/jobs").get(0).json().get("merge");
    assertThat(merge.get("kind").asText()).isEqualTo("reduce");
    assertThat(merge.get("kernel").asText()).isEqualTo(Sha256.of(REDUCER));
  }

  @Test
  void waitShowsProgressAndWritesTheResultByteForByte() {
    byte[] result = {'4', '2', 0x00, (byte) 0xFF, '\r', '\n', (byte) 0xC3, 0x28, 0x7F};
    server.scriptNextJob(
        result,
        Frame.of(JobState.QUEUED, 0),
        Frame.of(JobState.RUNNING, 2),
        Frame.of(JobState.RUNNING, 3),
        Frame.of(JobState.SUCCEEDED, 4));

    CliRun run = submit("--kernel", kernel, "--tasks", "4", "--wait");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdoutBytes()).isEqualTo(result);
    // Not a terminal: plain lines, no carriage returns; the polls come faster than 2 s, so only
    // the first status and the end are logged.
    assertThat(run.stderr()).startsWith("[").doesNotContain("\r");
    assertThat(run.stderr().lines())
        .hasSize(2)
        .last()
        .asString()
        .contains("4/4 tasks")
        .endsWith("succeeded");
    assertThat(server.requests("GET", "/api/jobs/j-000001/result")).hasSize(1);
  }

  @Test
  void waitWritesTheResultToTheOutputFile() throws Exception {
    byte[] result = new byte[70_000];
    for (int i = 0; i < result.length; i++) {
      result[i] = (byte) i;
    }
    server.scriptNextJob(result, Frame.of(JobState.RUNNING, 0), Frame.of(JobState.SUCCEEDED, 2));
    Path output = dir.resolve("result.bin");

    CliRun run =
        submit("--kernel", kernel, "--tasks", "2", "--wait", "--output", output.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdoutBytes()).isEmpty();
    assertThat(Files.readAllBytes(output)).isEqualTo(result);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("pi.wasm", "result.bin");
    }
  }

  @Test
  void aFailedJobSaysWhichTaskFailedAndShowsItsStderrIndented() {
    server.scriptNextJob(
        new byte[] {1},
        Frame.of(JobState.RUNNING, 1),
        Frame.failed(5, 3, 2, "reading input\nerror: bad number 'x'\n"));

    CliRun run = submit("--kernel", kernel, "--tasks", "8", "--wait");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stdoutBytes()).isEmpty();
    assertThat(run.stderr())
        .contains(
            "surge: job j-000001 failed: task 3 exited with code 2\n"
                + "  reading input\n"
                + "  error: bad number 'x'\n");
    assertThat(server.requests("GET", "/api/jobs/j-000001/result")).isEmpty();
  }

  @Test
  void aCancelledJobExitsWithThree() {
    server.scriptNextJob(
        new byte[0], Frame.of(JobState.RUNNING, 0), Frame.of(JobState.CANCELLED, 0));

    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--wait");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.stderr()).contains("surge: job j-000001 was cancelled");
  }

  @Test
  void aRefusedKernelExitsWithTwoAndTheServersReason() {
    server.refuseKernels(
        "kernel imports env.emscripten_memcpy_big; only wasi_snapshot_preview1 is allowed");

    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--wait");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .isEqualTo(
            "surge: the server refused kernel "
                + kernel
                + ": kernel imports env.emscripten_memcpy_big; only wasi_snapshot_preview1 is"
                + " allowed\n");
    assertThat(server.requests("POST", "/api/jobs")).isEmpty();
  }

  @Test
  void anUnreachableServerExitsWithFour() throws Exception {
    String nowhere = FakeSurgeServer.unreachableUri().toString();

    CliRun run = CliRun.run("submit", "--server", nowhere, "--kernel", kernel, "--tasks", "2");

    assertThat(run.exitCode()).isEqualTo(4);
    assertThat(run.stderr())
        .isEqualTo("surge: cannot reach the Surge server at " + nowhere + ": connection refused\n");
  }

  @Test
  void theServerMayComeFromTheEnvironment() {
    CliRun run =
        CliRun.run(
            Map.of("SURGE_SERVER", server.uri().toString()),
            "submit",
            "--kernel",
            kernel,
            "--tasks",
            "1");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo("j-000001\n");
  }

  @Test
  void waitingRidesOutAServerThatIsBrieflyUnavailable() {
    server.scriptNextJob(
        new byte[] {7}, Frame.of(JobState.RUNNING, 0), Frame.of(JobState.SUCCEEDED, 1));
    server.unavailableForPolls(3);

    CliRun run = submit("--kernel", kernel, "--tasks", "1", "--wait");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdoutBytes()).containsExactly(7);
    assertThat(server.requests("GET", "/api/jobs/j-000001")).hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void waitingGivesUpOnAServerThatStaysAway() {
    server.scriptNextJob(new byte[0], Frame.of(JobState.RUNNING, 0));
    server.unavailableForPolls(Integer.MAX_VALUE);

    long start = System.nanoTime();
    CliRun run = submit("--kernel", kernel, "--tasks", "1", "--wait");

    assertThat(run.exitCode()).isEqualTo(5);
    assertThat(run.stderr()).contains("surge: the server failed: HTTP 503");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(CliRun.FAST.giveUpAfter())
        .isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aRefusedJobSpecExitsWithTwoAndNamesTheField() {
    server.refuseJobs("tasks must be between 1 and 1000000, got 2000000", "tasks");

    CliRun run = submit("--kernel", kernel, "--tasks", "2000000", "--wait");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .isEqualTo(
            "surge: the server refused the job: tasks must be between 1 and 1000000, got 2000000"
                + " (field: tasks)\n");
  }

  @Test
  void waitingGivesUpOnAServerThatGoesAwayWithExitFour() {
    server.scriptNextJob(new byte[0], Frame.of(JobState.RUNNING, 0));
    server.shutDownAfterPolls(2);

    CliRun run = submit("--kernel", kernel, "--tasks", "1", "--wait");

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(4);
    assertThat(run.stderr())
        .contains("surge: cannot reach the Surge server at " + server.uri() + ": ");
  }

  @Test
  void verificationOptionsAreSentAsTheContractsFlatFields() {
    CliRun run =
        submit(
            "--kernel",
            kernel,
            "--tasks",
            "2",
            "--verify",
            "adaptive",
            "--verify-error",
            "1e-6",
            "--compare",
            "numeric:1e-9");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    JsonNode spec = server.requests("POST", "/api/jobs").get(0).json();
    assertThat(spec.get("verify").asText()).isEqualTo("adaptive");
    assertThat(spec.get("verifyError").isNumber()).isTrue();
    assertThat(spec.get("verifyError").asDouble()).isEqualTo(1e-6);
    assertThat(spec.get("compare").asText()).isEqualTo("numeric:1e-9");
  }

  @Test
  void withoutVerificationOptionsNoFieldIsSent() {
    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--verify=replicate=3");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    JsonNode spec = server.requests("POST", "/api/jobs").get(0).json();
    assertThat(spec.get("verify").asText()).isEqualTo("replicate=3");
    assertThat(spec.has("verifyError")).isFalse();
    assertThat(spec.has("compare")).isFalse();
    CliRun plain = submit("--kernel", kernel, "--tasks", "2");
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    JsonNode bare = server.requests("POST", "/api/jobs").get(1).json();
    assertThat(bare.has("verify")).isFalse();
    assertThat(bare.has("verifyError")).isFalse();
    assertThat(bare.has("compare")).isFalse();
  }

  @Test
  void aValidatorKernelIsUploadedAsAReducerIsAndNamedByItsHash() throws Exception {
    String validator = Files.write(dir.resolve("agree.wasm"), REDUCER).toString();

    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--compare", "kernel:" + validator);

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(server.requests("POST", "/api/kernels"))
        .extracting(FakeSurgeServer.Request::body)
        .containsExactlyInAnyOrder(WASM, REDUCER);
    assertThat(server.requests("POST", "/api/jobs").get(0).json().get("compare").asText())
        .isEqualTo("kernel:" + Sha256.of(REDUCER));
  }

  @Test
  void aRefusedValidatorKernelIsNamedAndNoJobIsSent() throws Exception {
    server.storeKernel(WASM);
    server.refuseKernels("kernel exports no _start");
    String validator = Files.write(dir.resolve("agree.wasm"), REDUCER).toString();

    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--compare", "kernel:" + validator);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .isEqualTo(
            "surge: the server refused kernel " + validator + ": kernel exports no _start\n");
    assertThat(server.requests("POST", "/api/jobs")).isEmpty();
  }

  @Test
  void waitEndsWithHowTheResultWasVerified() {
    server.scriptNextJob(
        "1 2\n".getBytes(StandardCharsets.UTF_8),
        Frame.of(JobState.RUNNING, 1),
        Frame.of(JobState.SUCCEEDED, 2)
            .verified("verified: 2 tasks, 1.50× work, 0 disagreements, 0 volunteers blacklisted"));

    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--verify=adaptive", "--wait");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo("1 2\n");
    assertThat(run.stderr().lines())
        .last()
        .isEqualTo(
            "surge: verification: verified: 2 tasks, 1.50× work, 0 disagreements, 0 volunteers"
                + " blacklisted");
  }

  @Test
  void anUnapprovedValidatorIsTheServersRefusalOfTheJob() throws Exception {
    String validator = Files.write(dir.resolve("agree.wasm"), REDUCER).toString();
    server.refuseJobs(
        "kernel " + Sha256.of(REDUCER) + " is not approved; ask an operator", "compare");

    CliRun run = submit("--kernel", kernel, "--tasks", "2", "--compare", "kernel:" + validator);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .isEqualTo(
            "surge: the server refused the job: kernel "
                + Sha256.of(REDUCER)
                + " is not approved; ask an operator (field: compare)\n");
  }
}
