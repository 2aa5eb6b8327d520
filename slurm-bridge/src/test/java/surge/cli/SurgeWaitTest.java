package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.FakeSurgeServer;
import surge.client.FakeSurgeServer.Frame;
import surge.client.JobState;
import surge.slurm.FakeScontrol;

/**
 * surge-wait, the light waiter of {@code surge offload} (built into target/ by the compile phase),
 * as bin/surge runs it: the real binary around a real JVM, against the fake server. While the job
 * runs no JVM may be alive; the output, messages and exit codes must be those of the JVM alone.
 */
class SurgeWaitTest {
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);
  private static final Path WAITER = Path.of("target", "surge-wait").toAbsolutePath();

  @TempDir Path dir;
  private FakeSurgeServer server;
  private FakeScontrol scontrol;
  private Path script;
  private Process process;

  @BeforeEach
  void start() throws Exception {
    assertThat(WAITER).as("built by mvn compile (make -C src/main/c)").isExecutable();
    server = new FakeSurgeServer();
    scontrol = FakeScontrol.in(dir.resolve("slurm"));
    Files.write(dir.resolve("k.wasm"), new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0});
    script =
        Files.writeString(
            dir.resolve("job.sh"),
            "#!/bin/bash\n#OFFLOAD --kernel=k.wasm --tasks=8\nexec surge offload \"$0\"\n");
  }

  @AfterEach
  void stop() {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    server.close();
  }

  private Process offload(Map<String, String> extraEnv, String... options) throws Exception {
    Map<String, String> env = scontrol.env("42");
    env.put("SURGE_SERVER", server.uri().toString());
    env.put("SLURM_SUBMIT_DIR", dir.toString());
    env.put("HOME", dir.toString());
    env.put("TMPDIR", dir.toString());
    env.putAll(extraEnv);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                WAITER.toString(),
                java,
                "-cp",
                SurgeClassPath.get(),
                Surge.class.getName(),
                "--",
                "offload"));
    command.addAll(List.of(options));
    command.add(script.toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.directory(dir.toFile());
    builder.redirectOutput(dir.resolve("stdout").toFile());
    builder.redirectError(dir.resolve("stderr").toFile());
    process = builder.start();
    return process;
  }

  private Process offload(String... options) throws Exception {
    return offload(Map.of("SURGE_TOKEN", "t0ken"), options);
  }

  private int exit() throws Exception {
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("ended; " + stderr()).isTrue();
    return process.exitValue();
  }

  private static Frame[] running(int polls, Frame last) {
    Frame[] frames = new Frame[polls + 1];
    for (int i = 0; i < polls; i++) {
      frames[i] = Frame.of(JobState.RUNNING, Math.min(7, i / 5));
    }
    frames[polls] = last;
    return frames;
  }

  @Test
  void aSucceededJobWritesItsResultAndExits0WithNoJvmWhileWaiting() throws Exception {
    server.scriptNextJob(
        "123 456\n".getBytes(StandardCharsets.UTF_8),
        running(20, Frame.of(JobState.SUCCEEDED, 8).verified("verified: 8 tasks, 1.00× work")));
    offload();
    await("the tenth poll", () -> server.requests("GET", "/api/jobs/j-000001").size() >= 10);
    // The JVM that submitted has exited: only surge-wait waits.
    assertThat(process.descendants().filter(p -> p.info().command().orElse("").endsWith("java")))
        .isEmpty();

    assertThat(exit()).isEqualTo(ExitCodes.OK);
    assertThat(Files.readString(dir.resolve("stdout"))).isEqualTo("123 456\n");
    String err = stderr();
    assertThat(err).contains("surge: job j-000001 submitted to " + server.uri());
    assertThat(err).containsPattern("\\[\\.{20}\\] 0/8 tasks  0%  \\d+\\.\\d s\n");
    assertThat(err).containsPattern("\\[#{20}\\] 8/8 tasks  100%  \\d+\\.\\d s  succeeded\n");
    assertThat(err).contains("surge: verification: verified: 8 tasks, 1.00");
    assertThat(scontrol.argumentLines())
        .contains("update|JobId=42|Comment=surge 0/8")
        .anyMatch(l -> l.startsWith("update|JobId=42|Comment=surge done 8/8; verified: 8 tasks"));
    assertThat(dir.toFile().list((d, name) -> name.startsWith("surge-offload-"))).isEmpty();
  }

  @Test
  void aFailedJobExits1WithTheTasksMessage() throws Exception {
    server.scriptNextJob(new byte[0], running(3, Frame.failed(2, 5, 7, "oops\n")));
    offload();
    assertThat(exit()).isEqualTo(ExitCodes.JOB_FAILED);
    assertThat(stderr()).contains("task 5").contains("oops");
    assertThat(scontrol.argumentLines()).anyMatch(l -> l.contains("Comment=surge failed: "));
  }

  @Test
  void aJobCancelledOnTheServerExits3() throws Exception {
    server.scriptNextJob(new byte[0], running(3, Frame.of(JobState.CANCELLED, 2)));
    offload();
    assertThat(exit()).isEqualTo(ExitCodes.JOB_CANCELLED);
    assertThat(stderr()).contains("surge: job j-000001 was cancelled");
  }

  @Test
  void sigtermWhileWaitingCancelsTheJobAndExits143WithinKillWait() throws Exception {
    server.scriptNextJob(new byte[0], Frame.of(JobState.RUNNING, 3));
    offload();
    await("the fifth poll", () -> server.requests("GET", "/api/jobs/j-000001").size() >= 5);

    long start = System.nanoTime();
    process.destroy(); // SIGTERM, as scancel sends it
    assertThat(process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(KILL_WAIT);
    assertThat(process.exitValue()).isEqualTo(ExitCodes.TERMINATED);
    assertThat(server.requests("POST", "/api/jobs/j-000001/cancel")).hasSize(1);
    assertThat(server.requests("POST", "/api/jobs/j-000001/cancel").get(0).authorization())
        .isEqualTo("Bearer t0ken");
    assertThat(stderr()).endsWith("\nsurge: interrupted; cancelled job j-000001 (now CANCELLED)\n");
  }

  @Test
  void sigintWhileWaitingCancelsTheJobAndExits130() throws Exception {
    server.scriptNextJob(new byte[0], Frame.of(JobState.RUNNING, 3));
    offload();
    await("the third poll", () -> server.requests("GET", "/api/jobs/j-000001").size() >= 3);
    new ProcessBuilder("kill", "-INT", "" + process.pid()).start().waitFor();
    assertThat(exit()).isEqualTo(ExitCodes.INTERRUPTED);
    assertThat(server.requests("POST", "/api/jobs/j-000001/cancel")).hasSize(1);
  }

  @Test
  void aServerAwayForAWhileIsWaitedFor() throws Exception {
    server.scriptNextJob(
        "7\n".getBytes(StandardCharsets.UTF_8), running(4, Frame.of(JobState.SUCCEEDED, 8)));
    server.unavailableForPolls(6); // 503s, as from a proxy while the server restarts
    offload();
    assertThat(exit()).isEqualTo(ExitCodes.OK);
    assertThat(Files.readString(dir.resolve("stdout"))).isEqualTo("7\n");
  }

  @Test
  void aServerGoneLongerThanTheConnectTimeoutFailsAsTheJvmSaysIt() throws Exception {
    server.scriptNextJob(new byte[0], Frame.of(JobState.RUNNING, 3));
    server.shutDownAfterPolls(3);
    offload("--connect-timeout=2s");
    assertThat(exit()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(stderr()).contains("surge: cannot reach the Surge server at " + server.uri() + ": ");
  }

  @Test
  void aCredentialRefusedWhileWaitingIsReportedAsTheJvmReportsIt() throws Exception {
    server.requireCredential("Bearer t0ken");
    server.scriptNextJob(new byte[0], Frame.of(JobState.RUNNING, 3));
    offload();
    await("the third poll", () -> server.requests("GET", "/api/jobs/j-000001").size() >= 3);
    server.requireCredential("Bearer another"); // the operator revoked the token

    assertThat(exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(stderr())
        .contains(
            "surge: not authenticated (invalid credential); tried the API token in SURGE_TOKEN");
  }

  @Test
  void aMungeCredentialIsMadeAfreshForEveryPoll() throws Exception {
    Path munge = dir.resolve("slurm/bin/munge");
    Path count = dir.resolve("munge-count");
    Files.writeString(
        munge, "#!/bin/sh\necho x >> " + count + "\necho \"MUNGE:cred$(wc -l < " + count + ")\"\n");
    munge.toFile().setExecutable(true);
    server.scriptNextJob(new byte[0], running(6, Frame.of(JobState.SUCCEEDED, 8)));
    offload(Map.of());
    assertThat(exit()).isEqualTo(ExitCodes.OK);
    List<String> auths =
        server.requests("GET", "/api/jobs/j-000001").stream()
            .map(FakeSurgeServer.Request::authorization)
            .collect(Collectors.toList());
    assertThat(auths).allMatch(a -> a.startsWith("MUNGE MUNGE:cred"));
    assertThat(auths).doesNotHaveDuplicates();
  }

  private String stderr() throws Exception {
    return Files.readString(dir.resolve("stderr"));
  }

  private void await(String what, BooleanSupplier done) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!done.getAsBoolean()) {
      assertThat(process.isAlive()).as("surge offload ended early: " + stderr()).isTrue();
      assertThat(System.nanoTime()).as("waited for " + what + "; " + stderr()).isLessThan(until);
      Thread.sleep(20);
    }
  }
}
