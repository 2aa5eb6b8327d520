package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class WeibullDwellTest {

  /** A Weibull draw by the inverse of its distribution function. */
  private static double draw(Random r, double shape, double scale) {
    return scale * Math.pow(-Math.log(1 - r.nextDouble()), 1 / shape);
  }

  @Test
  void startsFromThePriorUntilEnoughSessionsLeft() {
    var d = WeibullDwell.learning(90_000);
    for (int i = 0; i < 7; i++) {
      d.observe(1_000);
    }
    assertThat(d.shape()).isEqualTo(WeibullDwell.PRIOR_SHAPE);
    assertThat(d.scaleMillis()).isEqualTo(90_000);
  }

  @Test
  void fitsTheShapeAndScaleOfDepartures() {
    for (double shape : new double[] {0.5, 0.75, 1.0}) {
      var d = WeibullDwell.learning(90_000);
      var r = new Random(11);
      for (int i = 0; i < WeibullDwell.WINDOW; i++) {
        d.observe(draw(r, shape, 60_000));
      }
      assertThat(d.shape()).as("shape %s", shape).isCloseTo(shape, within(0.15 * shape));
      assertThat(d.scaleMillis())
          .as("scale at shape %s", shape)
          .isCloseTo(60_000, within(12_000.0));
    }
  }

  @Test
  void aFewAbsurdSessionsDoNotSwingTheFit() {
    var d = WeibullDwell.learning(90_000);
    var r = new Random(5);
    for (int i = 0; i < 490; i++) {
      d.observe(draw(r, 0.75, 60_000));
    }
    for (int i = 0; i < 12; i++) {
      d.observe(1e12); // a tab left open for years, or a lying clock
      d.observe(0);
    }
    assertThat(d.shape()).isCloseTo(0.75, within(0.15));
    assertThat(d.scaleMillis()).isCloseTo(60_000, within(15_000.0));
  }

  @Test
  void aHandfulOfDeparturesIsPulledTowardsThePrior() {
    var d = WeibullDwell.learning(90_000);
    for (int i = 0; i < 10; i++) {
      d.observe(1_000 * (i + 1)); // quartiles say shape ~1.5, scale ~6 s
    }
    assertThat(d.shape()).isBetween(WeibullDwell.PRIOR_SHAPE, 1.5);
    assertThat(d.scaleMillis()).isBetween(6_000.0, 90_000.0);
  }

  @Test
  void forgetsDeparturesOlderThanItsWindow() {
    var d = WeibullDwell.learning(90_000);
    var r = new Random(3);
    for (int i = 0; i < WeibullDwell.WINDOW; i++) {
      d.observe(draw(r, 0.75, 10_000));
    }
    for (int i = 0; i < WeibullDwell.WINDOW; i++) {
      d.observe(draw(r, 0.75, 300_000));
    }
    assertThat(d.samples()).isEqualTo(WeibullDwell.WINDOW);
    assertThat(d.scaleMillis()).isGreaterThan(200_000);
  }

  @Test
  void withAShapeBelowOneTheLongerASessionStayedTheLongerItStays() {
    var d = WeibullDwell.fixed(0.75, 60_000);
    double justArrived = d.remaining(0, 0.5);
    double tenMinutes = d.remaining(600_000, 0.5);
    assertThat(tenMinutes).isGreaterThan(2.5 * justArrived);
    // with shape 1 (no memory) the stay so far says nothing
    var memoryless = WeibullDwell.fixed(1, 60_000);
    assertThat(memoryless.remaining(600_000, 0.5))
        .isCloseTo(memoryless.remaining(0, 0.5), within(1.0));
    assertThat(memoryless.remaining(0, 0.5)).isCloseTo(60_000 * Math.log(2), within(1.0));
  }

  @Test
  void remainingAndStaysForAgree() {
    var d = WeibullDwell.fixed(0.6, 45_000);
    for (double stayed : new double[] {0, 1_000, 100_000, 5_000_000}) {
      for (double p : new double[] {0.1, 0.5, 0.9}) {
        double t = d.remaining(stayed, p);
        assertThat(d.staysFor(stayed, t))
            .as("stayed %s p %s", stayed, p)
            .isCloseTo(p, within(1e-9));
      }
    }
    assertThat(d.survival(0)).isEqualTo(1.0);
    assertThat(d.survival(45_000)).isCloseTo(Math.exp(-1), within(1e-12));
  }

  @Test
  void aFixedDistributionNeverLearns() {
    var d = WeibullDwell.fixed(0.5, 1_000);
    for (int i = 0; i < 100; i++) {
      d.observe(1e9);
    }
    assertThat(d.samples()).isZero();
    assertThat(d.scaleMillis()).isEqualTo(1_000);
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> WeibullDwell.fixed(0, 1_000)).hasMessageContaining("shape");
    assertThatThrownBy(() -> WeibullDwell.fixed(0.75, Double.NaN)).hasMessageContaining("scale");
    assertThatThrownBy(() -> WeibullDwell.fixed(0.75, 1_000).remaining(0, 1))
        .hasMessageContaining("p must");
    var d = WeibullDwell.learning(1_000);
    d.observe(Double.NaN);
    d.observe(-5);
    d.observe(Double.POSITIVE_INFINITY);
    assertThat(d.samples()).isZero();
  }
}
