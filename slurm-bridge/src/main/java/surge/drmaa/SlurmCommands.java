package surge.drmaa;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ggf.drmaa.DrmCommunicationException;
import org.ggf.drmaa.InternalException;

/**
 * Runs Slurm's client commands (sbatch, scontrol, scancel, sinfo) as the caller would: with the
 * process's environment ({@code SLURM_CONF} above all) plus the session's additions, found on that
 * environment's {@code PATH}, each with a time limit so that a slurmctld that does not answer
 * (Slurm's clients retry for up to a minute) becomes a {@link DrmCommunicationException}.
 */
final class SlurmCommands {
  // Reads the commands' output while they run; daemon threads, so they never hold the JVM.
  private static final ExecutorService READERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "surge-drmaa-slurm-output");
            t.setDaemon(true);
            return t;
          });

  private final Map<String, String> extraEnv;
  private final Duration timeout;

  SlurmCommands(Map<String, String> extraEnv, Duration timeout) {
    this.extraEnv = Map.copyOf(extraEnv);
    this.timeout = timeout;
  }

  /** What a command printed and how it ended. */
  record Output(List<String> command, int exitCode, String stdout, String stderr) {
    boolean ok() {
      return exitCode == 0;
    }

    /** Slurm's message: stderr (else stdout), without the command's name prefix, on one line. */
    String message() {
      String text = stderr.isBlank() ? stdout : stderr;
      String[] lines = text.strip().split("\n");
      List<String> kept = new ArrayList<>();
      for (String line : lines) {
        if (!line.isBlank() && !line.startsWith("Try \"")) {
          kept.add(line.strip());
        }
      }
      return kept.isEmpty() ? "exit code " + exitCode : String.join("; ", kept);
    }

    String commandLine() {
      return String.join(" ", command);
    }
  }

  Output run(List<String> command) throws DrmCommunicationException, InternalException {
    return run(command, null);
  }

  /** Runs COMMAND with STDIN (or /dev/null) and waits for it within the time limit. */
  Output run(List<String> command, String stdin)
      throws DrmCommunicationException, InternalException {
    ProcessBuilder pb = new ProcessBuilder();
    pb.environment().putAll(extraEnv);
    List<String> resolved = new ArrayList<>(command);
    resolved.set(0, find(command.get(0), pb.environment().get("PATH")));
    pb.command(resolved);
    if (stdin == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new DrmCommunicationException(
          "cannot run " + command.get(0) + " (is Slurm's client on the PATH?): " + e.getMessage());
    }
    try {
      CompletableFuture<String> out = drain(process.getInputStream());
      CompletableFuture<String> err = drain(process.getErrorStream());
      if (stdin != null) {
        try (OutputStream in = process.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          // The command ended without reading it all (sbatch refusing an option): its exit code
          // and message below tell why.
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new DrmCommunicationException(
            String.join(" ", command)
                + " did not answer within "
                + timeout.toSeconds()
                + " s (is slurmctld up and SLURM_CONF right?)");
      }
      return new Output(
          List.copyOf(command),
          process.exitValue(),
          out.get(5, TimeUnit.SECONDS),
          err.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InternalException("interrupted while running " + String.join(" ", command));
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new DrmCommunicationException("running " + String.join(" ", command) + " failed: " + e);
    }
  }

  /**
   * The first executable NAME on the PATH the command gets (ProcessBuilder itself would search this
   * JVM's PATH, not the child's); NAME itself when none is found, so that the start fails with its
   * name.
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
    return name;
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        },
        READERS);
  }
}
