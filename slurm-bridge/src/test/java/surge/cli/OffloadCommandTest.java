package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import surge.slurm.FakeScontrol;

/**
 * {@code surge offload} as a Slurm batch job runs it: a script in slurmd's spool directory, the
 * kernel in the submit directory, a fake scontrol on the PATH and a fake server.
 */
class OffloadCommandTest {
  private static final byte[] WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  @TempDir Path submitDir;
  @TempDir Path spool;
  @TempDir Path slurmDir;
  private FakeSurgeServer server;
  private FakeScontrol scontrol;
  private Map<String, String> env;

  @BeforeEach
  void start() throws Exception {
    server = new FakeSurgeServer();
    scontrol = FakeScontrol.in(slurmDir);
    Files.write(submitDir.resolve("montecarlo.wasm"), WASM);
    env = scontrol.env("42");
    env.put("SURGE_SERVER", server.uri().toString());
    env.put("SLURM_SUBMIT_DIR", submitDir.toString());
    env.put("SLURM_JOB_NAME", "pi");
    env.put("SLURM_JOB_PARTITION", "volunteer");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** The job script, as slurmd's copy in its spool directory. */
  private Path script(String... offloadLines) throws Exception {
    StringBuilder text = new StringBuilder("#!/bin/bash\n#SBATCH --partition=volunteer\n");
    for (String line : offloadLines) {
      text.append("#OFFLOAD ").append(line).append('\n');
    }
    text.append("[ \"$SLURM_JOB_PARTITION\" = volunteer ] && exec surge offload \"$0\"\n");
    text.append("./montecarlo-whole 4 1000\n");
    return Files.writeString(spool.resolve("slurm_script"), text.toString());
  }

  private CliRun offload(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "offload";
    System.arraycopy(args, 0, all, 1, args.length);
    // slurmd starts the script in the job's working directory, which is the submit directory here.
    return CliRun.run(submitDir, env, all);
  }

  @Test
  void aSucceededJobWritesItsResultAndTheCommentSaysDone() throws Exception {
    byte[] result = "3141 4000\n".getBytes();
    server.scriptNextJob(
        result,
        Frame.of(JobState.QUEUED, 0),
        Frame.of(JobState.RUNNING, 2),
        Frame.of(JobState.SUCCEEDED, 4));
    Path script = script("--kernel=montecarlo.wasm --tasks=4 --arg=1000 --merge=sum");

    CliRun run = offload(script.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdoutBytes()).isEqualTo(result);
    assertThat(run.stderr())
        .startsWith(
            "surge: job j-000001 submitted to " + server.uri() + ": 4 tasks of montecarlo.wasm\n")
        .contains("4/4 tasks");
    JsonNode spec = server.requests("POST", "/api/jobs").get(0).json();
    assertThat(spec.get("kernel").asText()).isEqualTo(Sha256.of(WASM));
    assertThat(spec.get("tasks").asInt()).isEqualTo(4);
    assertThat(spec.get("args").toString()).isEqualTo("[\"1000\"]");
    assertThat(spec.get("merge").get("kind").asText()).isEqualTo("sum");
    assertThat(spec.get("slurmJobId").asText()).isEqualTo("42");
    assertThat(spec.get("name").asText()).isEqualTo("pi");
    assertThat(scontrol.argumentLines())
        .startsWith("update|JobId=42|Comment=surge queued 0/4")
        .endsWith("update|JobId=42|Comment=surge done 4/4");
    assertThat(scontrol.calls())
        .allMatch(c -> c.startsWith("SLURM_CONF=" + FakeScontrol.SLURM_CONF));
  }

  @Test
  void verificationFromTheLinesGoesToTheServerAndItsSummaryToTheComment() throws Exception {
    Files.write(submitDir.resolve("agree.wasm"), new byte[] {0, 'a', 's', 'm', 2});
    String summary = "verified: 4 tasks, 1.25× work, 1 disagreement, 1 volunteer blacklisted";
    server.scriptNextJob(
        "3141 4000\n".getBytes(),
        Frame.of(JobState.RUNNING, 2).verified("verified: 2 tasks so far"),
        Frame.of(JobState.SUCCEEDED, 4).verified(summary));
    Path script =
        script(
            "--kernel=montecarlo.wasm --tasks=4 --arg=1000 --merge=sum",
            "--verify=adaptive --verify-error=1e-6 --compare=kernel:agree.wasm");

    CliRun run = offload(script.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    JsonNode spec = server.requests("POST", "/api/jobs").get(0).json();
    assertThat(spec.get("verify").asText()).isEqualTo("adaptive");
    assertThat(spec.get("verifyError").asDouble()).isEqualTo(1e-6);
    assertThat(spec.get("compare").asText())
        .isEqualTo("kernel:" + Sha256.of(new byte[] {0, 'a', 's', 'm', 2}));
    assertThat(scontrol.argumentLines())
        .contains("update|JobId=42|Comment=surge 2/4; verified: 2 tasks so far")
        .last()
        .isEqualTo("update|JobId=42|Comment=surge done 4/4; " + summary);
    assertThat(run.stderr()).contains("surge: verification: " + summary + "\n");
  }

  @Test
  void aJobThatCannotBeVerifiedSaysWhyAndHowFarItGotInTheComment() throws Exception {
    Map<String, Object> error = new java.util.LinkedHashMap<>();
    error.put("message", "2 tasks cannot reach the target error 1e-4: too few distinct volunteers");
    server.scriptNextJob(
        new byte[0],
        new Frame(JobState.FAILED, 2, 0, error).verified("verified: 2 of 4 tasks, 1.50× work"));
    Path script = script("--kernel=montecarlo.wasm --tasks=4 --arg=1000 --verify=replicate=2");

    CliRun run = offload(script.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.JOB_FAILED);
    assertThat(server.requests("POST", "/api/jobs").get(0).json().get("verify").asText())
        .isEqualTo("replicate=2");
    assertThat(scontrol.argumentLines())
        .last()
        .isEqualTo(
            "update|JobId=42|Comment=surge failed: job j-000001 failed: 2 tasks cannot reach the"
                + " target error 1e-4: too few distinct volunteers; verified: 2 of 4 tasks, 1.50×"
                + " work");
  }

  @Test
  void aBinaryResultGoesToTheOutputFileInTheSubmitDirectory() throws Exception {
    byte[] pgm = {'P', '5', '\n', '2', ' ', '1', '\n', '2', '5', '5', '\n', 0, (byte) 0xFF};
    server.scriptNextJob(pgm, Frame.of(JobState.RUNNING, 0), Frame.of(JobState.SUCCEEDED, 2));
    Path script = script("--kernel=montecarlo.wasm --tasks=2 --merge=concat --output=m.pgm");

    CliRun run = offload(script.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdoutBytes()).isEmpty();
    assertThat(Files.readAllBytes(submitDir.resolve("m.pgm"))).isEqualTo(pgm);
  }

  @Test
  void aFailedTaskFailsTheJobWithItsStderrAndTheCommentSaysWhy() throws Exception {
    server.scriptNextJob(
        new byte[0],
        Frame.of(JobState.RUNNING, 1),
        Frame.failed(2, 3, 2, "montecarlo: bad SAMPLES 'x'\nusage: montecarlo SAMPLES\n"));
    Path script = script("--kernel=montecarlo.wasm --tasks=4 --arg=x");

    CliRun run = offload(script.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.JOB_FAILED);
    assertThat(run.stdoutBytes()).isEmpty();
    assertThat(run.stderr())
        .contains(
            "surge: job j-000001 failed: task 3 exited with code 2\n"
                + "  montecarlo: bad SAMPLES 'x'\n"
                + "  usage: montecarlo SAMPLES\n");
    assertThat(scontrol.argumentLines())
        .last()
        .isEqualTo(
            "update|JobId=42|Comment=surge failed: job j-000001 failed: task 3 exited with code 2");
  }

  @Test
  void anArrayElementNamesItselfInTheCommentAndTheSpec() throws Exception {
    // The last element of array 11 shares the array's job id; 11 alone would name every element.
    env.put("SLURM_JOB_ID", "11");
    env.put("SLURM_ARRAY_JOB_ID", "11");
    env.put("SLURM_ARRAY_TASK_ID", "3");
    Files.writeString(submitDir.resolve("chunk-3.txt"), "a\nb\n");
    server.scriptNextJob(new byte[] {'2'}, Frame.of(JobState.SUCCEEDED, 2));

    CliRun run =
        offload(
            script("--kernel=montecarlo.wasm --tasks=2 --input=chunk-${SLURM_ARRAY_TASK_ID}.txt")
                .toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(server.requests("POST", "/api/inputs").get(0).bodyText()).isEqualTo("a\nb\n");
    assertThat(server.requests("POST", "/api/jobs").get(0).json().get("slurmJobId").asText())
        .isEqualTo("11_3");
    assertThat(scontrol.argumentLines()).allMatch(c -> c.startsWith("update|JobId=11_3|"));
  }

  @Test
  void aJobCancelledOnTheServerExitsWithThree() throws Exception {
    server.scriptNextJob(
        new byte[0], Frame.of(JobState.RUNNING, 0), Frame.of(JobState.CANCELLED, 0));

    CliRun run = offload(script("--kernel=montecarlo.wasm --tasks=2").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.JOB_CANCELLED);
    assertThat(run.stderr()).contains("surge: job j-000001 was cancelled");
  }

  @Test
  void aBadLineFailsAtOnceNamingTheLineWithoutTouchingTheServer() throws Exception {
    Path script = script("--kernel=montecarlo.wasm", "--taks=720");

    long start = System.nanoTime();
    CliRun run = offload(script.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr())
        .isEqualTo(
            "surge: batch script of job 42:4: unknown option --taks (did you mean --task-timeout or --tasks?)\n");
    assertThat(server.requests()).isEmpty();
    assertThat(scontrol.argumentLines())
        .containsExactly(
            "update|JobId=42|Comment=surge failed: batch script of job 42:4: unknown option --taks"
                + " (did you mean --task-timeout or --tasks?)");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aMissingKernelFileIsNamedWithItsLineInTheScriptAsGiven() throws Exception {
    Path script =
        Files.move(script("--kernel=montecarlo-v2.wasm --tasks=2"), submitDir.resolve("job.sh"));

    CliRun run = offload(script.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr())
        .isEqualTo(
            "surge: "
                + script
                + ":3: --kernel: cannot read kernel file '"
                + submitDir.resolve("montecarlo-v2.wasm")
                + "': no such file\n");
  }

  @Test
  void anUnreachableServerIsRetriedForTheConnectTimeoutThenFailsTheJob() throws Exception {
    String nowhere = FakeSurgeServer.unreachableUri().toString();
    env.put("SURGE_SERVER", nowhere);
    Path script = script("--kernel=montecarlo.wasm --tasks=2");

    long start = System.nanoTime();
    CliRun run = offload("--connect-timeout=1s", script.toString());
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.stderr())
        .startsWith(
            "surge: cannot reach the Surge server at "
                + nowhere
                + ": connection refused; retrying for up to 1.0 s\n")
        .endsWith("surge: cannot reach the Surge server at " + nowhere + ": connection refused\n");
    assertThat(took).isGreaterThan(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(10));
    assertThat(scontrol.argumentLines())
        .containsExactly(
            "update|JobId=42|Comment=surge failed: cannot reach the Surge server at "
                + nowhere
                + ": connection refused");
  }

  @Test
  void theServerMayComeFromTheSitesConfigFile() throws Exception {
    env.remove("SURGE_SERVER");
    Path config = Files.writeString(slurmDir.resolve("surge.conf"), "server=" + server.uri());
    env.put("SURGE_CONFIG", config.toString());
    server.scriptNextJob(new byte[] {'7'}, Frame.of(JobState.SUCCEEDED, 1));

    CliRun run = offload(script("--kernel=montecarlo.wasm --tasks=1").toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo("7");
  }

  @Test
  void withoutAScriptTheRunningJobsScriptComesFromScontrol() throws Exception {
    scontrol.answerBatchScript(
        "#!/bin/bash\n#OFFLOAD --kernel=montecarlo.wasm --tasks=3\nexec surge offload\n");
    server.scriptNextJob(new byte[] {'3'}, Frame.of(JobState.SUCCEEDED, 3));

    CliRun run = offload();

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(scontrol.argumentLines()).first().isEqualTo("write|batch_script|42|-");
    assertThat(server.requests("POST", "/api/jobs").get(0).json().get("tasks").asInt())
        .isEqualTo(3);
  }

  @Test
  void errorsInTheStoredScriptNameIt() throws Exception {
    scontrol.answerBatchScript("#!/bin/bash\n#OFFLOAD --kernel=montecarlo.wasm\n");

    CliRun run = offload();

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr())
        .isEqualTo("surge: batch script of job 42:2: the #OFFLOAD lines lack --tasks=N\n");
  }

  @Test
  void withoutAScriptOutsideSlurmTheUsageErrorSaysWhatToPass() {
    env.remove("SLURM_JOB_ID");

    CliRun run = offload();

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr()).contains("surge offload: no SCRIPT given, and this is no Slurm job");
  }

  @Test
  void outsideSlurmTheCommentIsLeftAlone() throws Exception {
    env.remove("SLURM_JOB_ID");
    server.scriptNextJob(new byte[] {'1'}, Frame.of(JobState.SUCCEEDED, 1));

    CliRun run = offload(script("--kernel=montecarlo.wasm --tasks=1").toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(scontrol.calls()).isEmpty();
  }

  @Test
  void aCommentThatCannotBeSetIsOnlyAWarning() throws Exception {
    scontrol.fail("slurm_update error: Access/permission denied");
    server.scriptNextJob(
        new byte[] {'1'}, Frame.of(JobState.RUNNING, 0), Frame.of(JobState.SUCCEEDED, 1));

    CliRun run = offload(script("--kernel=montecarlo.wasm --tasks=1").toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo("1");
    assertThat(run.stderr())
        .containsOnlyOnce("surge: warning: cannot update the Slurm job's Comment")
        .contains("Access/permission denied");
  }

  @Test
  void helpShowsTheLineForTheJobScript() {
    CliRun run = CliRun.run("offload", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout())
        .contains("Usage: surge offload")
        .contains("--connect-timeout=DURATION")
        .contains("[ \"$SLURM_JOB_PARTITION\" = volunteer ] && exec surge offload \"$0\"");
  }
}
