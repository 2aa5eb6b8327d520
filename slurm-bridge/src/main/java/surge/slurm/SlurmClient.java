package surge.slurm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs Slurm's {@code scontrol} for the launcher. The command gets the caller's environment as it
 * is ({@code SLURM_CONF} above all: without it scontrol finds no configuration) and is found on
 * that environment's {@code PATH}. Each run has a time limit, so that a slow slurmctld cannot hold
 * the job.
 */
public final class SlurmClient {
  private final Map<String, String> env;
  private final Duration timeout;

  public SlurmClient(Map<String, String> env, Duration timeout) {
    this.env = Map.copyOf(env);
    this.timeout = timeout;
  }

  /** {@code scontrol update JobId=ID Comment=TEXT}: what {@code squeue -o %k} shows. */
  public void updateComment(String jobId, String comment)
      throws SlurmException, InterruptedException {
    run(List.of("update", "JobId=" + jobId, "Comment=" + comment));
  }

  /** {@code scontrol write batch_script ID -}: the script the job runs, as slurmctld stored it. */
  public String batchScript(String jobId) throws SlurmException, InterruptedException {
    return run(List.of("write", "batch_script", jobId, "-"));
  }

  /** Runs scontrol with {@code args}; answers its stdout. */
  private String run(List<String> args) throws SlurmException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(find("scontrol").toString());
    command.addAll(args);
    String shown = "scontrol " + String.join(" ", args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new SlurmException(shown + ": cannot start: " + e.getMessage());
    }
    CompletableFuture<byte[]> out = drain(process.getInputStream());
    CompletableFuture<byte[]> err = drain(process.getErrorStream());
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new SlurmException(shown + ": no answer in " + timeout.toSeconds() + " s");
    }
    String stdout = text(out);
    if (process.exitValue() != 0) {
      String reason = text(err).strip();
      throw new SlurmException(
          shown
              + ": exited with "
              + process.exitValue()
              + (reason.isEmpty() ? "" : ": " + reason.lines().findFirst().orElse("")));
    }
    return stdout;
  }

  /**
   * The first executable {@code name} on the environment's PATH (ProcessBuilder would use ours).
   */
  private Path find(String name) throws SlurmException {
    String path = Optional.ofNullable(env.get("PATH")).orElse("/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new SlurmException(name + " is not on the PATH (" + path + ")");
  }

  private static CompletableFuture<byte[]> drain(InputStream stream) {
    CompletableFuture<byte[]> bytes = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (stream) {
                bytes.complete(stream.readAllBytes());
              } catch (IOException e) {
                bytes.completeExceptionally(new UncheckedIOException(e));
              }
            },
            "scontrol-output");
    reader.setDaemon(true);
    reader.start();
    return bytes;
  }

  private static String text(CompletableFuture<byte[]> bytes) throws InterruptedException {
    try {
      return new String(bytes.get(1, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      // A grandchild may hold the pipe open; what arrived so far is not worth waiting for.
      return "";
    }
  }
}
