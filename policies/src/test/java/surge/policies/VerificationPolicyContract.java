package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** What every {@link VerificationPolicy} must do. Extend this and implement {@link #policy()}. */
public abstract class VerificationPolicyContract {
  protected abstract VerificationPolicy policy();

  /** Histories of every shape, trusted or not, clean or caught, short and long. */
  protected static List<VolunteerHistory> variety() {
    List<VolunteerHistory> all = new ArrayList<>();
    long[] counts = {0, 1, 2, 10, 100, 1_000, 1_000_000, Long.MAX_VALUE / 4};
    for (boolean trusted : new boolean[] {false, true}) {
      for (long passed : counts) {
        for (long agreed : new long[] {0, 3, 10_000}) {
          for (long failed : new long[] {0, 1}) {
            for (long disagreed : new long[] {0, 1, 50}) {
              all.add(new VolunteerHistory(trusted, passed, failed, agreed, disagreed));
            }
          }
        }
      }
    }
    return all;
  }

  @Test
  void credibilitiesAndSpotCheckRatesAreProbabilities() {
    for (var h : variety()) {
      double c = policy().credibility(h);
      double q = policy().spotCheckRate(h);
      assertThat(c).as("credibility of %s", h).isBetween(0.0, 1.0);
      assertThat(q).as("spot-check rate of %s", h).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
    }
  }

  @Test
  void aCaughtVolunteerIsNeverBelievedEvenIfTrusted() {
    for (var h : variety()) {
      if (h.spotChecksFailed() > 0) {
        assertThat(policy().credibility(h)).as("%s", h).isZero();
      }
    }
  }

  @Test
  void aTrustedMachineWithACleanRecordIsBelieved() {
    assertThat(policy().credibility(VolunteerHistory.TRUSTED)).isEqualTo(1.0);
  }

  @Test
  void aNewIdentityIsBelievedNoMoreThanAnyCleanRecordAndLessThanCertainty() {
    double fresh = policy().credibility(VolunteerHistory.NEW);
    assertThat(fresh).isLessThan(1.0);
    for (var h : variety()) {
      if (h.spotChecksFailed() == 0 && h.disagreements() == 0) {
        assertThat(policy().credibility(h)).as("%s", h).isGreaterThanOrEqualTo(fresh);
      }
    }
  }

  @Test
  void moreCheckedResultsNeverLowerACleanRecord() {
    double last = -1;
    for (long k = 0; k < 5_000; k += 7) {
      double c = policy().credibility(new VolunteerHistory(false, k, 0, k / 2, 0));
      assertThat(c).as("after %d spot checks", k).isGreaterThanOrEqualTo(last);
      last = c;
    }
  }

  @Test
  void aNewIdentityIsSpotCheckedAtLeastAsOftenAsAnEstablishedOne() {
    double fresh = policy().spotCheckRate(VolunteerHistory.NEW);
    assertThat(fresh).isPositive();
    assertThat(policy().spotCheckRate(new VolunteerHistory(false, 10_000, 0, 10_000, 0)))
        .isLessThanOrEqualTo(fresh);
  }

  @Test
  void hasANameAndABlacklistScope() {
    assertThat(policy().name()).matches("[a-z0-9-]+");
    assertThat(policy().blacklist()).isNotNull();
  }

  @Test
  void isFoundByItsNameWhenListedForTheServiceLoader() {
    boolean listed = false;
    for (var p : ServiceLoader.load(VerificationPolicy.class)) {
      listed |= p.getClass() == policy().getClass();
    }
    if (listed) {
      assertThat(VerificationPolicies.named(policy().name(), getClass().getClassLoader()))
          .isInstanceOf(policy().getClass());
    }
  }
}
