package surge.policies;

import java.util.Arrays;

/**
 * How long sessions stay, as a Weibull distribution fitted to the dwell of sessions that left. Liu
 * et al. (2010) found page dwell Weibull with shape at most 1 on over 98 % of pages: the longer a
 * visitor has stayed, the less likely it leaves in the next second, which is what lets a dispatcher
 * give long sessions more.
 *
 * <p>The fit is deliberately simple and robust: shape and scale from the quartiles of the last
 * {@value #WINDOW} departures (a quantile fit ignores a few absurd sessions), pulled in log space
 * towards a prior (shape {@value #PRIOR_SHAPE}, the given scale) with the weight of {@value
 * #PRIOR_WEIGHT} sessions, so a handful of departures cannot swing it. Sessions still connected are
 * not counted (they are censored): early on the fit is biased short, which errs on the side of
 * giving new sessions little. Thread-safe.
 */
public final class WeibullDwell {
  public static final double PRIOR_SHAPE = 0.75;
  static final int PRIOR_WEIGHT = 20;
  static final int WINDOW = 512;
  private static final int MIN_SAMPLES = 8;
  private static final double MIN_SHAPE = 0.2;
  private static final double MAX_SHAPE = 5;

  // ln(ln 4) - ln(ln 4/3): the quartiles' distance on the Weibull plot, divided by the shape
  private static final double QUARTILE_SPAN = Math.log(Math.log(4)) - Math.log(Math.log(4.0 / 3));

  private final double priorShape;
  private final double priorScaleMillis;
  private final boolean learns;
  private final double[] samples = new double[WINDOW];
  private int count;
  private int next;
  private boolean stale;
  private double shape;
  private double scaleMillis;

  private WeibullDwell(double priorShape, double priorScaleMillis, boolean learns) {
    if (!(priorShape >= MIN_SHAPE && priorShape <= MAX_SHAPE)) {
      throw new IllegalArgumentException(
          "shape must be between " + MIN_SHAPE + " and " + MAX_SHAPE + ", got " + priorShape);
    }
    if (!(priorScaleMillis >= 1) || !Double.isFinite(priorScaleMillis)) {
      throw new IllegalArgumentException(
          "scale must be at least 1 ms and finite, got " + priorScaleMillis);
    }
    this.priorShape = priorShape;
    this.priorScaleMillis = priorScaleMillis;
    this.learns = learns;
    this.shape = priorShape;
    this.scaleMillis = priorScaleMillis;
  }

  /** Learns from departures, starting from shape {@value #PRIOR_SHAPE} and this scale. */
  public static WeibullDwell learning(double priorScaleMillis) {
    return new WeibullDwell(PRIOR_SHAPE, priorScaleMillis, true);
  }

  /** A known distribution that never changes (a simulator's truth, tests). */
  public static WeibullDwell fixed(double shape, double scaleMillis) {
    return new WeibullDwell(shape, scaleMillis, false);
  }

  /** A session left after {@code dwellMillis}. */
  public synchronized void observe(double dwellMillis) {
    if (!learns || !(dwellMillis >= 0) || !Double.isFinite(dwellMillis)) {
      return;
    }
    samples[next] = Math.max(1, dwellMillis);
    next = (next + 1) % WINDOW;
    count = Math.min(WINDOW, count + 1);
    stale = true;
  }

  /** Departures it learns from now (at most {@value #WINDOW}). */
  public synchronized int samples() {
    return count;
  }

  public synchronized double shape() {
    refit();
    return shape;
  }

  public synchronized double scaleMillis() {
    refit();
    return scaleMillis;
  }

  /** The probability that a session stays at least {@code millis}. */
  public synchronized double survival(double millis) {
    refit();
    return Math.exp(-Math.pow(Math.max(0, millis) / scaleMillis, shape));
  }

  /** The probability that a session that has stayed {@code stayed} stays {@code more} longer. */
  public synchronized double staysFor(double stayed, double more) {
    refit();
    double a = Math.pow(Math.max(0, stayed) / scaleMillis, shape);
    double b = Math.pow((Math.max(0, stayed) + Math.max(0, more)) / scaleMillis, shape);
    return Math.exp(a - b);
  }

  /**
   * How much longer a session that has stayed {@code stayed} stays with probability {@code p} (0 <
   * p < 1): {@code p = 0.5} is its median remaining time. With shape below 1 it grows with {@code
   * stayed}.
   */
  public synchronized double remaining(double stayed, double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("p must be strictly between 0 and 1, got " + p);
    }
    refit();
    double s = Math.max(0, stayed);
    double h = Math.pow(s / scaleMillis, shape) - Math.log(p);
    return Math.max(0, scaleMillis * Math.pow(h, 1 / shape) - s);
  }

  private void refit() {
    if (!stale) {
      return;
    }
    stale = false;
    if (count < MIN_SAMPLES) {
      shape = priorShape;
      scaleMillis = priorScaleMillis;
      return;
    }
    double[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    double q25 = quantile(sorted, 0.25);
    double q50 = quantile(sorted, 0.5);
    double q75 = quantile(sorted, 0.75);
    double spread = Math.log(q75) - Math.log(q25);
    double k = spread > 1e-9 ? QUARTILE_SPAN / spread : MAX_SHAPE;
    k = Math.max(MIN_SHAPE, Math.min(MAX_SHAPE, k));
    double lambda = q50 / Math.pow(Math.log(2), 1 / k);
    double w = (double) count / (count + PRIOR_WEIGHT);
    shape = Math.exp(w * Math.log(k) + (1 - w) * Math.log(priorShape));
    scaleMillis = Math.exp(w * Math.log(lambda) + (1 - w) * Math.log(priorScaleMillis));
  }

  private static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  @Override
  public synchronized String toString() {
    refit();
    return String.format(
        java.util.Locale.ROOT,
        "Weibull(shape %.2f, scale %.0f s, %d departures)",
        shape,
        scaleMillis / 1000,
        count);
  }
}
