package surge.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DistributionsTest {
  @Test
  void gammaMatchesKnownValues() {
    assertThat(Distributions.gamma(1)).isCloseTo(1, within(1e-12));
    assertThat(Distributions.gamma(5)).isCloseTo(24, within(1e-9));
    assertThat(Distributions.gamma(0.5)).isCloseTo(Math.sqrt(Math.PI), within(1e-12));
    // Γ(1 + 1/0.75) = Γ(7/3)
    assertThat(Distributions.gamma(7.0 / 3)).isCloseTo(1.190639348, within(1e-8));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.5, 0.75, 1.0, 2.0})
  void weibullSamplesHaveTheMeanTheScaleWasChosenFor(double shape) {
    Distributions d = new Distributions(42);
    double scale = Distributions.weibullScale(shape, 60_000);
    int n = 400_000;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += d.weibull(shape, scale);
    }
    // Shape 0.5 has a heavy tail (coefficient of variation 2.2): allow 2 %.
    assertThat(sum / n).isCloseTo(60_000, within(60_000 * 0.02));
  }

  @Test
  void weibullOfShapeOneIsExponentialInItsMedian() {
    Distributions d = new Distributions(7);
    int n = 200_000;
    int below = 0;
    double scale = 10;
    for (int i = 0; i < n; i++) {
      if (d.weibull(1, scale) < scale * Math.log(2)) {
        below++;
      }
    }
    assertThat(below / (double) n).isCloseTo(0.5, within(0.01));
  }

  @Test
  void exponentialGapsHaveTheirMean() {
    Distributions d = new Distributions(3);
    double sum = 0;
    for (int i = 0; i < 200_000; i++) {
      sum += d.exponential(2.5);
    }
    assertThat(sum / 200_000).isCloseTo(2.5, within(0.03));
  }
}
