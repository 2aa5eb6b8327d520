package surge.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import surge.client.ControlCharacters;
import surge.client.JobStatus;
import surge.client.SurgeApiException;
import surge.client.SurgeClient;

/**
 * While a job is waited for, Ctrl-C (SIGINT) or {@code scancel} (SIGTERM) must not leave it running
 * on the volunteers with nobody to read its result: a shutdown hook cancels it on the server, with
 * one request of bounded time. The JVM then exits by itself with 130 or 143, as it does for those
 * signals. A signal that arrives while the job is being submitted waits a moment for the server's
 * answer, so that a job created just then is cancelled too.
 */
final class CancelOnInterrupt implements Runnable, AutoCloseable {
  private final SurgeClient client;
  private final PrintStream err;
  private final Duration timeout;
  private final Thread hook;

  /** The job to cancel; completed with null when there is none. */
  private final CompletableFuture<String> job = new CompletableFuture<>();

  private volatile boolean submitting;
  private boolean armed = true;
  private boolean fired;
  private Runnable afterCancel = () -> {};

  /** {@code timeout}: how long the hook waits for a submission in flight, and for the cancel. */
  CancelOnInterrupt(SurgeClient client, PrintStream err, Duration timeout) {
    this.client = client;
    this.err = err;
    this.timeout = timeout;
    this.hook = new Thread(this, "surge-cancel-on-interrupt");
  }

  /** Registers the hook with the JVM; {@link #close()} removes it once the wait is over. */
  static CancelOnInterrupt install(SurgeClient client, PrintStream err, Duration timeout) {
    CancelOnInterrupt guard = new CancelOnInterrupt(client, err, timeout);
    Runtime.getRuntime().addShutdownHook(guard.hook);
    return guard;
  }

  /** The job is being submitted: a signal now waits for its id. */
  void submitting() {
    submitting = true;
  }

  /** The job a signal cancels from now on. */
  void watch(String jobId) {
    job.complete(jobId);
  }

  /**
   * What to do once the hook has tried to cancel a job, before the JVM halts: {@code surge offload}
   * leaves a mark there for surge-wait, so that it does not cancel the job again.
   */
  void afterCancel(Runnable action) {
    this.afterCancel = action;
  }

  /**
   * Disarms the hook for good unless it has fired: answers false when it has (it cancels the job,
   * so nobody else may wait for it), true when the caller may hand the wait to another process.
   */
  synchronized boolean handOff() {
    if (fired) {
      return false;
    }
    armed = false;
    return true;
  }

  private synchronized boolean fire() {
    if (!armed) {
      return false;
    }
    fired = true;
    return true;
  }

  @Override
  public void run() {
    if (!fire()) {
      return;
    }
    String jobId = job.getNow(null);
    if (jobId == null && submitting) {
      try {
        jobId = job.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException | InterruptedException e) {
        err.println();
        err.println(
            "surge: interrupted while submitting; if the job was created, find it with: surge jobs");
        err.flush();
        return;
      }
    }
    if (jobId == null) {
      return;
    }
    err.println();
    try {
      cancel(jobId);
    } finally {
      afterCancel.run();
    }
  }

  private void cancel(String jobId) {
    try {
      JobStatus status = client.cancel(jobId, timeout);
      err.println(
          "surge: interrupted; cancelled job "
              + ControlCharacters.escape(jobId)
              + " (now "
              + status.state()
              + ")");
    } catch (Exception e) {
      err.println(
          "surge: interrupted; could not cancel job "
              + ControlCharacters.escape(jobId)
              + ": "
              + (e instanceof SurgeApiException api
                  ? api.describe()
                  : ControlCharacters.escape(e.getMessage()))
              + "; cancel it with: surge cancel "
              + ControlCharacters.escape(jobId));
    }
    err.flush();
  }

  @Override
  public void close() {
    synchronized (this) {
      armed = false;
    }
    job.complete(null);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to; disarming above keeps it from cancelling.
    }
  }
}
