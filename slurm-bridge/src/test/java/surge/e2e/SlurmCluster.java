package surge.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The real local Slurm cluster of {@code deploy/slurm/local-cluster.sh} for integration tests: one
 * per test JVM, started fresh in {@code target/slurm-it} on first use and stopped (by pid, through
 * the script) when the JVM ends, so every {@code *IT} class of a run shares it.
 */
public final class SlurmCluster {
  private static SlurmCluster shared;

  final Path dir;
  private final Map<String, String> env;

  private SlurmCluster(Path dir, Map<String, String> env) {
    this.dir = dir;
    this.env = env;
  }

  /** The cluster of this JVM, started on first call (about 2-10 s). */
  public static synchronized SlurmCluster shared() throws Exception {
    if (shared == null) {
      Path dir = Cluster.REPO.resolve("slurm-bridge/target/slurm-it");
      Files.createDirectories(dir);
      Map<String, String> env = new HashMap<>();
      env.put("SURGE_SLURM_DIR", dir.toString());
      Result start = script(env, "start", "--fresh");
      if (start.exitCode != 0) {
        throw new IllegalStateException("local-cluster.sh start failed:\n" + start.output);
      }
      env.put("SLURM_CONF", dir.resolve("slurm.conf").toString());
      shared = new SlurmCluster(dir, Map.copyOf(env));
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      script(env, "stop");
                    } catch (Exception e) {
                      System.err.println("local-cluster.sh stop failed: " + e);
                    }
                  },
                  "slurm-it-stop"));
    }
    return shared;
  }

  private static Result script(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Cluster.REPO.resolve("deploy/slurm/local-cluster.sh").toString());
    cmd.addAll(List.of(args));
    return exec(cmd, env, Duration.ofMinutes(5));
  }

  /**
   * The socket of the cluster's munged: the server decodes with it, and {@code surge offload} in a
   * job makes its credential with it ({@code SURGE_MUNGE_SOCKET} for both).
   */
  public Path mungeSocket() {
    return dir.resolve("munge/run/munge.socket");
  }

  /** What a Slurm client needs: {@code SLURM_CONF} (and the cluster's directory). */
  public Map<String, String> env() {
    return env;
  }

  /** Runs a Slurm client command (sbatch, squeue, ...) with the cluster's environment. */
  public Result run(String... cmd) throws Exception {
    return run(Map.of(), null, cmd);
  }

  /** As {@link #run(String...)}, with more environment and a working directory. */
  public Result run(Map<String, String> extraEnv, Path workDir, String... cmd) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.putAll(extraEnv);
    return exec(List.of(cmd), all, Duration.ofSeconds(60), workDir);
  }

  /**
   * {@code sbatch --parsable ARGS} from {@code workDir} with {@code extraEnv} (PATH with {@code
   * bin/}, SURGE_SERVER, ...); answers the JobId.
   */
  public String sbatch(Map<String, String> extraEnv, Path workDir, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable"));
    cmd.addAll(List.of(args));
    Result r = run(extraEnv, workDir, cmd.toArray(String[]::new));
    if (r.exitCode != 0) {
      throw new IllegalStateException("sbatch " + String.join(" ", args) + ": " + r.output);
    }
    return r.output.strip().split(";")[0];
  }

  /**
   * {@code scontrol show job -o ID} as field map (JobState, Reason, ExitCode, Comment, StdOut...);
   * an array job answers its first element. Empty when slurmctld no longer knows the job.
   */
  public Map<String, String> show(String jobId) throws Exception {
    Result r = run("scontrol", "show", "job", "-o", jobId);
    if (r.exitCode != 0 || r.output.isBlank()) {
      return new LinkedHashMap<>();
    }
    return surge.slurmcommon.command.JobRecord.fieldsOf(
        r.output.lines().findFirst().orElse("").strip());
  }

  /** Waits until the job's state is one of {@code states}; answers the last fields seen. */
  public Map<String, String> awaitState(String jobId, Duration within, String... states)
      throws Exception {
    Set<String> wanted = Set.of(states);
    long until = System.nanoTime() + within.toNanos();
    Map<String, String> last = Map.of();
    while (System.nanoTime() < until) {
      last = show(jobId);
      if (wanted.contains(last.getOrDefault("JobState", ""))) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "job " + jobId + " did not reach " + wanted + " within " + within + "; last: " + last);
  }

  public record Result(int exitCode, String output) {}

  static Result exec(List<String> cmd, Map<String, String> env, Duration timeout) throws Exception {
    return exec(cmd, env, timeout, null);
  }

  static Result exec(List<String> cmd, Map<String, String> env, Duration timeout, Path workDir)
      throws Exception {
    var pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    String path = pb.environment().getOrDefault("PATH", "/usr/bin:/bin");
    if (!path.contains("/usr/sbin")) {
      pb.environment().put("PATH", path + ":/usr/sbin:/sbin");
    }
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    pb.redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    File out = File.createTempFile("slurm-it", ".out");
    try {
      pb.redirectOutput(out);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(cmd + " did not end within " + timeout);
      }
      return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8));
    } finally {
      out.delete();
    }
  }
}
