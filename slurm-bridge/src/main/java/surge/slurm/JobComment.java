package surge.slurm;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import surge.client.ControlCharacters;
import surge.client.JobState;
import surge.client.JobStatus;
import surge.slurmcommon.command.SlurmException;

/**
 * Keeps the Slurm job's Comment saying how its offloaded job does, so that {@code squeue -o %k} and
 * {@code scontrol show job} show {@code surge 312/720}, then {@code surge done 720/720} or {@code
 * surge failed: ...}, each followed by the server's verification summary when it sends one ({@code
 * surge done 720/720; verified: 720 tasks, 1.18× work, ...}). Progress updates go at most every
 * {@code minInterval}, on a thread of their own so that a slow slurmctld never holds the wait, and
 * are skipped while one is still running. The Comment is a courtesy: a failed update is a warning,
 * printed once, and never fails the job. Outside a Slurm job nothing is updated.
 */
public final class JobComment implements AutoCloseable {
  static final int MAX_LENGTH = 200;

  private final Optional<String> jobId;
  private final SlurmClient slurm;
  private final PrintStream err;
  private final long minIntervalNanos;
  private final ExecutorService worker;
  private Future<?> inFlight;
  private String lastText;
  private long lastSent;
  private volatile boolean warned;
  private volatile String verification;

  public JobComment(SlurmJob job, SlurmClient slurm, PrintStream err, Duration minInterval) {
    this.jobId = job.id();
    this.slurm = slurm;
    this.err = err;
    this.minIntervalNanos = minInterval.toNanos();
    this.worker =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "surge-job-comment");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** {@code surge 312/720}; other states than running are named. */
  public static String progress(JobStatus status) {
    JobStatus.TaskCounts tasks = status.tasks();
    String counts = tasks.done() + "/" + tasks.total();
    return withVerification(
        status.state() == JobState.RUNNING
            ? "surge " + counts
            : "surge " + status.state().name().toLowerCase(Locale.ROOT) + " " + counts,
        status.verificationSummary());
  }

  public static String done(JobStatus status) {
    return withVerification(
        "surge done " + status.tasks().done() + "/" + status.tasks().total(),
        status.verificationSummary());
  }

  public static String failed(String reason) {
    return "surge failed: " + reason;
  }

  /** {@code surge failed: REASON; SUMMARY}: why first, since a long Comment is cut at the end. */
  public static String failed(String reason, Optional<String> verification) {
    return withVerification(failed(reason), verification);
  }

  private static String withVerification(String text, Optional<String> verification) {
    return verification.map(v -> text + "; " + v).orElse(text);
  }

  /** The verification summary of the last status {@link #update} saw, if it had one. */
  public Optional<String> verification() {
    return Optional.ofNullable(verification);
  }

  /** Shows the status unless an update went out less than the interval ago or is still running. */
  public synchronized void update(JobStatus status) {
    status.verificationSummary().ifPresent(v -> verification = v);
    String text = progress(status);
    long now = System.nanoTime();
    if (jobId.isEmpty()
        || text.equals(lastText)
        || (lastText != null && now - lastSent < minIntervalNanos)
        || (inFlight != null && !inFlight.isDone())) {
      return;
    }
    lastText = text;
    lastSent = now;
    inFlight = worker.submit(() -> send(text));
  }

  /** Shows {@code text} for good: waits for an update in flight, then sends this one and waits. */
  public synchronized void last(String text) {
    if (jobId.isEmpty()) {
      return;
    }
    try {
      if (inFlight != null) {
        inFlight.get(10, TimeUnit.SECONDS);
      }
      lastText = text;
      send(text);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      warn("the previous update did not finish: " + e.getMessage());
    }
  }

  private void send(String text) {
    try {
      slurm.updateComment(jobId.get(), oneLine(text));
    } catch (SlurmException e) {
      warn(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Slurm shows the Comment on one line; a task's long message is cut. Control characters (from the
   * server's text) are escaped, since squeue prints the Comment raw to whoever looks.
   */
  static String oneLine(String text) {
    String line = ControlCharacters.escape(text.replaceAll("\\s+", " ").strip());
    return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH - 3) + "...";
  }

  private void warn(String reason) {
    if (warned) {
      return;
    }
    warned = true;
    err.println(
        "surge: warning: cannot update the Slurm job's Comment (progress still goes to this"
            + " log): "
            + reason);
    err.flush();
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
