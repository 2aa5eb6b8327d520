package surge.slurmcommon.command;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs Slurm's client commands as processes: found on the PATH of the environment they get (not
 * this JVM's), stdin from {@code /dev/null} unless given, each within a time limit (Slurm's clients
 * retry an unreachable slurmctld for up to a minute), and with stdout and stderr read apart and
 * kept up to a bound (a runaway output cannot fill the heap). Every Slurm client needs {@code
 * SLURM_CONF} in its environment, or it fails with {@code Could not establish a configuration
 * source}.
 */
public final class SlurmCommands implements CommandRunner {
  /** More than any answer Surge reads (a batch script is at most 4 MB by default). */
  public static final int DEFAULT_MAX_OUTPUT_BYTES = 32 << 20;

  // Read the commands' output while they run; daemon threads, so they never hold the JVM.
  private static final ExecutorService READERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "surge-slurm-output");
            t.setDaemon(true);
            return t;
          });

  private final Map<String, String> env;
  private final Duration timeout;
  private final int maxOutputBytes;

  private SlurmCommands(Map<String, String> env, Duration timeout, int maxOutputBytes) {
    this.env = Map.copyOf(env);
    this.timeout = timeout;
    this.maxOutputBytes = maxOutputBytes;
  }

  /** Commands get exactly {@code env} (the launcher passes its own, SLURM_CONF and PATH). */
  public static SlurmCommands withEnvironment(Map<String, String> env, Duration timeout) {
    return new SlurmCommands(env, timeout, DEFAULT_MAX_OUTPUT_BYTES);
  }

  /** Commands get this process's environment plus {@code extra} (SLURM_CONF from the settings). */
  public static SlurmCommands inheriting(Map<String, String> extra, Duration timeout) {
    Map<String, String> all = new HashMap<>(System.getenv());
    all.putAll(extra);
    return new SlurmCommands(all, timeout, DEFAULT_MAX_OUTPUT_BYTES);
  }

  /** The same commands with another bound on each stream's kept bytes. */
  public SlurmCommands keepingAtMost(int bytes) {
    return new SlurmCommands(env, timeout, bytes);
  }

  @Override
  public Output run(List<String> command, Optional<String> stdin) {
    String shown = String.join(" ", command);
    ProcessBuilder pb = new ProcessBuilder();
    pb.environment().clear();
    pb.environment().putAll(env);
    List<String> resolved = new ArrayList<>(command);
    String path = env.get("PATH");
    resolved.set(0, find(command.get(0), path));
    if (resolved.get(0) == null) {
      // Not the JVM's PATH: the command would run another Slurm than the caller's.
      throw new SlurmException(
          SlurmAnswer.UNREACHABLE, command.get(0) + " is not on the PATH (" + path + ")");
    }
    pb.command(resolved);
    if (stdin.isEmpty()) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new SlurmException(
          SlurmAnswer.UNREACHABLE,
          "cannot run "
              + command.get(0)
              + " (is Slurm's client on the PATH "
              + env.getOrDefault("PATH", "")
              + "?): "
              + e.getMessage());
    }
    try {
      CompletableFuture<Bounded> out = drain(process.getInputStream());
      CompletableFuture<Bounded> err = drain(process.getErrorStream());
      if (stdin.isPresent()) {
        try (OutputStream in = process.getOutputStream()) {
          in.write(stdin.get().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          // The command ended without reading it all (sbatch refusing an option): its exit code
          // and message tell why.
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new SlurmException(
            SlurmAnswer.UNREACHABLE,
            shown
                + " did not answer within "
                + timeout.toSeconds()
                + " s (is slurmctld up and SLURM_CONF right?)");
      }
      Bounded o = collected(out);
      Bounded e = collected(err);
      return new Output(
          command, process.exitValue(), o.text(), e.text(), o.truncated() || e.truncated());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new SlurmException(SlurmAnswer.UNREACHABLE, shown + ": interrupted");
    }
  }

  private record Bounded(String text, boolean truncated) {}

  private CompletableFuture<Bounded> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          ByteArrayOutputStream kept = new ByteArrayOutputStream();
          boolean truncated = false;
          byte[] buffer = new byte[8192];
          try (stream) {
            for (int n; (n = stream.read(buffer)) >= 0; ) {
              int room = maxOutputBytes - kept.size();
              if (n > room) {
                truncated = true;
              }
              kept.write(buffer, 0, Math.max(0, Math.min(n, room)));
            }
          } catch (IOException e) {
            // what arrived is what there is
          }
          return new Bounded(kept.toString(StandardCharsets.UTF_8), truncated);
        },
        READERS);
  }

  /** A grandchild may hold a pipe open after the command ended: what arrived is kept. */
  private static Bounded collected(CompletableFuture<Bounded> bytes) throws InterruptedException {
    try {
      return bytes.get(2, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return new Bounded("", false);
    }
  }

  /**
   * The first executable {@code name} on {@code path} (ProcessBuilder would search this JVM's
   * PATH); null when none is there; {@code name} itself when it is a path or there is no PATH.
   */
  private static String find(String name, String path) {
    if (name.contains("/") || path == null) {
      return name;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    return null;
  }
}
