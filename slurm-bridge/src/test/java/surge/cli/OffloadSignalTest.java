package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.FakeSurgeServer;
import surge.client.FakeSurgeServer.Frame;
import surge.client.JobState;
import surge.slurm.FakeScontrol;

/**
 * What {@code scancel} does to {@code surge offload}: a real SIGTERM to a real JVM running it,
 * which must cancel the job on the server and exit 143 well within Slurm's KillWait, after which
 * SIGKILL would come.
 */
class OffloadSignalTest {
  /** The KillWait of the project's test cluster; sites often have 30 s. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  @TempDir Path dir;
  private FakeSurgeServer server;
  private FakeScontrol scontrol;
  private Path script;
  private Process process;

  @BeforeEach
  void start() throws Exception {
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
      process.destroyForcibly();
    }
    server.close();
  }

  private Process offload(String serverUrl) throws Exception {
    Map<String, String> env = scontrol.env("42");
    env.put("SURGE_SERVER", serverUrl);
    env.put("SLURM_SUBMIT_DIR", dir.toString());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
            java,
            "-cp",
            SurgeClassPath.get(),
            Surge.class.getName(),
            "offload",
            "--connect-timeout=1m",
            script.toString());
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.directory(dir.toFile()); // the job's working directory, where the kernel is
    builder.redirectOutput(dir.resolve("stdout").toFile());
    builder.redirectError(dir.resolve("stderr").toFile());
    process = builder.start();
    return process;
  }

  private String stderr() throws Exception {
    return Files.readString(dir.resolve("stderr"));
  }

  /** Waits until {@code done} is true, or fails with the process's stderr. */
  private void await(String what, java.util.function.BooleanSupplier done) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!done.getAsBoolean()) {
      assertThat(process.isAlive()).as("surge offload ended early: " + stderr()).isTrue();
      assertThat(System.nanoTime()).as("waited for " + what + "; " + stderr()).isLessThan(until);
      Thread.sleep(20);
    }
  }

  @Test
  void sigtermWhileWaitingCancelsTheServerJobAndExits143WithinKillWait() throws Exception {
    server.scriptNextJob(new byte[0], Frame.of(JobState.RUNNING, 3));
    offload(server.uri().toString());
    await("the first status poll", () -> !server.requests("GET", "/api/jobs/j-000001").isEmpty());

    long start = System.nanoTime();
    process.destroy(); // SIGTERM, as scancel sends it
    boolean ended = process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(ended).as("exited within KillWait; " + stderr()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(KILL_WAIT);
    assertThat(process.exitValue()).isEqualTo(ExitCodes.TERMINATED);
    assertThat(server.requests("POST", "/api/jobs/j-000001/cancel")).hasSize(1);
    assertThat(stderr()).contains("surge: interrupted; cancelled job j-000001 (now CANCELLED)");
  }

  @Test
  void sigtermWhileTheServerIsRetriedExitsAtOnce() throws Exception {
    offload(FakeSurgeServer.unreachableUri().toString());
    await("the first retry", () -> stderrUnchecked().contains("retrying for up to 1m00s"));

    process.destroy();
    boolean ended = process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(ended).as("exited within KillWait; " + stderr()).isTrue();
    assertThat(process.exitValue()).isEqualTo(ExitCodes.TERMINATED);
  }

  private String stderrUnchecked() {
    try {
      return stderr();
    } catch (Exception e) {
      return "";
    }
  }
}
