package surge.drmaa;

import org.ggf.drmaa.ExitTimeoutException;
import org.ggf.drmaa.InternalException;
import org.ggf.drmaa.Session;

/**
 * The pauses between two looks at slurmctld while waiting: 100 ms at first, growing by half up to 2
 * s, so that a short job is seen ending soon and a long one costs one {@code scontrol} call every 2
 * s per waiting thread. The DRMAA timeout is in seconds; {@code TIMEOUT_NO_WAIT} looks once.
 */
final class Poll {
  static final long FIRST_PAUSE_MS = 100;
  static final long LONGEST_PAUSE_MS = 2_000;

  private final long deadlineNanos; // Long.MAX_VALUE: forever
  private long pause = FIRST_PAUSE_MS;

  private Poll(long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
  }

  static Poll within(long timeoutSeconds) {
    if (timeoutSeconds == Session.TIMEOUT_WAIT_FOREVER) {
      return new Poll(Long.MAX_VALUE);
    }
    if (timeoutSeconds < 0) {
      throw new IllegalArgumentException(
          "timeout "
              + timeoutSeconds
              + ": seconds, TIMEOUT_WAIT_FOREVER (-1) or TIMEOUT_NO_WAIT (0)");
    }
    if (timeoutSeconds > Long.MAX_VALUE / 2_000_000_000L) {
      return new Poll(Long.MAX_VALUE); // beyond a century: forever
    }
    return new Poll(System.nanoTime() + timeoutSeconds * 1_000_000_000L);
  }

  /** Sleeps before the next look, or throws ExitTimeoutException when the time is up. */
  void pause(String what) throws ExitTimeoutException, InternalException {
    long left =
        deadlineNanos == Long.MAX_VALUE
            ? Long.MAX_VALUE
            : (deadlineNanos - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new ExitTimeoutException("timed out waiting for " + what);
    }
    try {
      Thread.sleep(Math.min(pause, left));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InternalException("interrupted while waiting for " + what);
    }
    pause = Math.min(LONGEST_PAUSE_MS, pause * 3 / 2);
  }
}
