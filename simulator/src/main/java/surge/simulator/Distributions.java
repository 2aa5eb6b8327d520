package surge.simulator;

import java.util.SplittableRandom;

/** The random draws of a simulation, all from one seeded generator so a run repeats exactly. */
final class Distributions {
  private final SplittableRandom random;

  Distributions(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** Uniform in (0, 1): never 0, so logarithms stay finite. */
  double uniform() {
    double u;
    do {
      u = random.nextDouble();
    } while (u == 0);
    return u;
  }

  /** An exponential draw of this mean (the gap between Poisson arrivals). */
  double exponential(double mean) {
    return -mean * Math.log(uniform());
  }

  /** A Weibull draw by inversion: scale · (−ln U)^(1/shape). */
  double weibull(double shape, double scale) {
    return scale * Math.pow(-Math.log(uniform()), 1 / shape);
  }

  /** A log-normal draw with this median and log-space standard deviation (0: always the median). */
  double logNormal(double median, double sigma) {
    if (sigma == 0) {
      return median;
    }
    // Box–Muller.
    double z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    return median * Math.exp(sigma * z);
  }

  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  /** The Weibull scale that gives this mean at this shape: mean / Γ(1 + 1/shape). */
  static double weibullScale(double shape, double mean) {
    return mean / gamma(1 + 1 / shape);
  }

  /** The mean of a Weibull distribution. */
  static double weibullMean(double shape, double scale) {
    return scale * gamma(1 + 1 / shape);
  }

  private static final double[] LANCZOS = {
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7
  };

  /** The gamma function (Lanczos, g = 7; about 15 digits). */
  static double gamma(double x) {
    if (x < 0.5) {
      return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
    }
    x -= 1;
    double a = LANCZOS[0];
    double t = x + 7.5;
    for (int i = 1; i < LANCZOS.length; i++) {
      a += LANCZOS[i] / (x + i);
    }
    return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
  }
}
