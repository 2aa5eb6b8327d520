package surge.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import surge.client.SurgeApiException;
import surge.client.SurgeUnreachableException;
import surge.slurmcommon.script.Durations;

/**
 * Sends a call again while the server cannot be reached (down, restarting, a proxy answering 503),
 * with pauses that double up to a ceiling, until the server has stayed away for a bounded time;
 * then the last failure stands. The first failure is reported once, so a log shows why the job
 * waits.
 */
final class Retry {
  /** One request to the server. */
  interface Call<T> {
    T call() throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException;
  }

  private final Duration budget;
  private final Shell.Polling pace;
  private final PrintStream err;
  private boolean reported;

  private Retry(Duration budget, Shell.Polling pace, PrintStream err) {
    this.budget = budget;
    this.pace = pace;
    this.err = err;
  }

  /** Every call is made once; a failure stands at once. */
  static Retry never() {
    return new Retry(Duration.ZERO, Shell.Polling.DEFAULT, null);
  }

  /**
   * Retries for up to {@code budget} after a call first fails, pausing {@code pace.interval()} at
   * first and at most {@code pace.maxBackoff()}.
   */
  static Retry during(Duration budget, Shell.Polling pace, PrintStream err) {
    return new Retry(budget, pace, err);
  }

  /** For a call the server may see twice without harm: a content-addressed upload, a read. */
  <T> T idempotent(Call<T> call)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    return run(call, true);
  }

  /**
   * For a call that must not happen twice (creating a job): sent again only when it surely never
   * reached the server, because no connection was made or the server said it was unavailable.
   */
  <T> T once(Call<T> call)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    return run(call, false);
  }

  private <T> T run(Call<T> call, boolean idempotent)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    long start = System.nanoTime();
    Duration pause = pace.interval();
    while (true) {
      try {
        return call.call();
      } catch (SurgeUnreachableException | SurgeApiException e) {
        if (!retryable(e, idempotent)
            || Duration.ofNanos(System.nanoTime() - start).plus(pause).compareTo(budget) > 0) {
          throw e;
        }
        if (!reported) {
          err.println("surge: " + describe(e) + "; retrying for up to " + Durations.format(budget));
          err.flush();
          reported = true;
        }
        Thread.sleep(pause.toMillis());
        pause =
            pause.multipliedBy(2).compareTo(pace.maxBackoff()) < 0
                ? pause.multipliedBy(2)
                : pace.maxBackoff();
      }
    }
  }

  private static boolean retryable(Exception e, boolean idempotent) {
    if (e instanceof SurgeUnreachableException unreachable) {
      return idempotent || unreachable.neverConnected();
    }
    SurgeApiException api = (SurgeApiException) e;
    // A 504 may come after the server did the work; after 502 or 503 it did not (a proxy found no
    // server, or the server refused while starting).
    return api.isTransient() && (idempotent || api.status() != 504);
  }

  private static String describe(Exception e) {
    return e instanceof SurgeApiException api
        ? "the server is unavailable: " + api.describe()
        : e.getMessage();
  }
}
