package surge.dispatch;

/**
 * Why a volunteer gives tasks back. Leaving (closing, paused) says nothing against the task; the
 * others count toward SURGE_MAX_ATTEMPTS.
 */
public enum ReleaseCause {
  CLOSING("closing"),
  PAUSED("paused"),
  KERNEL_UNAVAILABLE("kernel-unavailable"),
  WORKER_CRASHED("worker-crashed"),
  TIMEOUT("timeout");

  /** As quoted in a lost task's message. */
  public final String text;

  ReleaseCause(String text) {
    this.text = text;
  }

  /** The visitor left (paused, closing): web visitors leave all the time. */
  boolean left() {
    return this == PAUSED || this == CLOSING;
  }
}
