package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CredibilityVerificationTest extends VerificationPolicyContract {
  private final CredibilityVerification policy =
      new CredibilityVerification(0.2, VerificationPolicy.Blacklist.EVERYWHERE);

  @Override
  protected VerificationPolicy policy() {
    return policy;
  }

  @Test
  void followsSarmentasFormulaWithBlacklisting() {
    assertThat(policy.credibility(VolunteerHistory.NEW)).isCloseTo(0.8, within(1e-12));
    // k = 10: 1 - 0.2 / (0.8 * 10 * e)
    assertThat(policy.credibility(new VolunteerHistory(false, 6, 0, 4, 0)))
        .isCloseTo(1 - 0.2 / (0.8 * 10 * Math.E), within(1e-12));
    // One disagreement divides the record by five.
    assertThat(policy.credibility(new VolunteerHistory(false, 50, 0, 0, 1)))
        .isCloseTo(policy.credibility(new VolunteerHistory(false, 10, 0, 0, 0)), within(1e-12));
  }

  @Test
  void aboutNineHundredChecksMakeOneResultEnoughForTenToTheMinusFour() {
    assertThat(policy.credibility(new VolunteerHistory(false, 900, 0, 0, 0))).isLessThan(0.9999);
    assertThat(policy.credibility(new VolunteerHistory(false, 930, 0, 0, 0)))
        .isGreaterThanOrEqualTo(0.9999);
  }

  @Test
  void groupCredibilityIsSarmentasEquationSeven() {
    // Two new volunteers agree: 0.64 / (0.64 + 0.04).
    assertThat(VerificationPolicy.groupCredibility(List.of(new double[] {0.8, 0.8}), 0))
        .isCloseTo(0.64 / 0.68, within(1e-12));
    // One says A, one says B: each is as likely as the other, and both wrong is possible.
    double p =
        VerificationPolicy.groupCredibility(List.of(new double[] {0.8}, new double[] {0.8}), 0);
    assertThat(p).isCloseTo(0.16 / (0.16 + 0.16 + 0.04), within(1e-12));
    // A trusted machine settles it, against any number of others.
    assertThat(
            VerificationPolicy.groupCredibility(
                List.of(new double[] {1.0}, new double[] {0.99, 0.99, 0.99}), 0))
        .isEqualTo(1.0);
    assertThat(
            VerificationPolicy.groupCredibility(
                List.of(new double[] {1.0}, new double[] {0.99, 0.99, 0.99}), 1))
        .isZero();
  }

  @Test
  void refusesAnImpossibleShare() {
    assertThatThrownBy(() -> new CredibilityVerification(1.0, VerificationPolicy.Blacklist.OWNER))
        .hasMessageContaining("share of saboteurs");
  }

  @Test
  void isTheBuiltInNamedCredibility() {
    assertThat(VerificationPolicies.named("credibility", getClass().getClassLoader()))
        .isInstanceOf(CredibilityVerification.class);
    assertThatThrownBy(() -> VerificationPolicies.named("nope", getClass().getClassLoader()))
        .hasMessageContaining("credibility");
  }
}
