package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DispatchPolicy} must do, whatever its strategy. Extend this and implement
 * {@link #policy()} to test a new policy.
 */
public abstract class DispatchPolicyContract {

  protected abstract DispatchPolicy policy();

  private static final List<VolunteerProfile> VOLUNTEERS =
      List.of(
          new VolunteerProfile(1, "one core"),
          new VolunteerProfile(2, "laptop"),
          new VolunteerProfile(16, "workstation"),
          new VolunteerProfile(256, "huge"));

  @Test
  void asksForAtLeastOneTask() {
    for (var v : VOLUNTEERS) {
      assertThat(policy().batch(v)).as("batch for %s", v).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void prefetchThresholdLiesBetweenZeroAndTheBatch() {
    for (var v : VOLUNTEERS) {
      assertThat(policy().prefetchBelow(v))
          .as("prefetchBelow for %s", v)
          .isBetween(0, policy().batch(v));
    }
  }

  @Test
  void neverGrantsMoreThanRequestedNorANegativeNumber() {
    for (var v : VOLUNTEERS) {
      for (int requested = 1; requested <= 600; requested += 37) {
        for (int held = 0; held <= 600; held += 41) {
          assertThat(policy().grant(v, requested, held))
              .as("grant(%s, requested=%d, held=%d)", v, requested, held)
              .isBetween(0, requested);
        }
      }
    }
  }

  @Test
  void grantsSomethingToAnIdleVolunteerThatAsksForABatch() {
    for (var v : VOLUNTEERS) {
      assertThat(policy().grant(v, policy().batch(v), 0)).as("idle %s", v).isPositive();
    }
  }

  @Test
  void aVolunteerThatFollowsTheProtocolIsNeverStarved() {
    // Simulate a volunteer that asks for a batch whenever it holds fewer than prefetchBelow (or
    // nothing): every such request must be granted something, or it would idle forever.
    for (var v : VOLUNTEERS) {
      int held = 0;
      for (int round = 0; round < 50; round++) {
        int threshold = Math.max(1, policy().prefetchBelow(v));
        if (held < threshold) {
          int granted = policy().grant(v, policy().batch(v), held);
          assertThat(granted).as("round %d for %s holding %d", round, v, held).isPositive();
          held += granted;
        }
        held = Math.max(0, held - v.workers()); // its workers finish one task each
      }
    }
  }

  @Test
  void holdsABoundedNumberOfTasks() {
    for (var v : VOLUNTEERS) {
      int limit = DispatchPolicy.holdLimit(policy(), v);
      assertThat(policy().grant(v, 1_000_000, limit)).as("at the limit %s", v).isZero();
      assertThat(policy().grant(v, 1_000_000, 0)).as("from empty %s", v).isLessThanOrEqualTo(limit);
    }
  }

  @Test
  void leasesArePositive() {
    for (var v : VOLUNTEERS) {
      assertThat(policy().lease(v)).as("lease for %s", v).isPositive();
    }
  }
}
