package surge.cli;

import java.io.PrintStream;
import java.time.Duration;
import surge.client.JobStatus;
import surge.client.SurgeClient;

/**
 * While {@code surge submit --wait} waits, Ctrl-C must not leave the job running on the volunteers
 * with nobody to read its result: a shutdown hook cancels it on the server. The JVM then exits with
 * 130 by itself, as it does for every SIGINT.
 */
final class CancelOnInterrupt implements Runnable, AutoCloseable {
  private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(5);

  private final SurgeClient client;
  private final String jobId;
  private final PrintStream err;
  private final Thread hook;
  private volatile boolean armed = true;

  CancelOnInterrupt(SurgeClient client, String jobId, PrintStream err) {
    this.client = client;
    this.jobId = jobId;
    this.err = err;
    this.hook = new Thread(this, "surge-cancel-on-interrupt");
  }

  /** Registers the hook with the JVM; {@link #close()} removes it once the wait is over. */
  static CancelOnInterrupt install(SurgeClient client, String jobId, PrintStream err) {
    CancelOnInterrupt guard = new CancelOnInterrupt(client, jobId, err);
    Runtime.getRuntime().addShutdownHook(guard.hook);
    return guard;
  }

  @Override
  public void run() {
    if (!armed) {
      return;
    }
    err.println();
    try {
      JobStatus status = client.cancel(jobId, CANCEL_TIMEOUT);
      err.println("surge: interrupted; cancelled job " + jobId + " (now " + status.state() + ")");
    } catch (Exception e) {
      err.println(
          "surge: interrupted; could not cancel job "
              + jobId
              + ": "
              + e.getMessage()
              + "; cancel it with: surge cancel "
              + jobId);
    }
    err.flush();
  }

  @Override
  public void close() {
    armed = false;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to; disarming above keeps it from cancelling.
    }
  }
}
