package surge.dispatch;

/** A job's mean wall time per task over every session: a guess for sessions not measured yet. */
final class JobSpeed {
  private static final double WEIGHT = 0.05;
  private double msPerTask = Double.NaN;

  void add(double ms) {
    msPerTask = Double.isNaN(msPerTask) ? ms : msPerTask + WEIGHT * (ms - msPerTask);
  }

  /** NaN before the first result. */
  double msPerTask() {
    return msPerTask;
  }
}
