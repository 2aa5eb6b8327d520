package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
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

  // ---- what a policy does knowing the session (SessionView) ----

  private static final long[] STAYS = {0, 5_000, 600_000, 36_000_000};
  private static final double[] SPEEDS = {Double.NaN, 1, 5_000, 3_600_000};

  /** Sessions of every kind, stay and speed, holding nothing. */
  protected static List<SessionView> sessions() {
    List<SessionView> all = new ArrayList<>();
    long now = 100_000_000;
    for (var v : VOLUNTEERS) {
      for (var kind : SessionView.Kind.values()) {
        for (long stay : STAYS) {
          for (double ms : SPEEDS) {
            all.add(
                new SessionView(
                    kind + "/" + stay + "/" + ms, v, kind, now - stay, now, 0, 3, ms, 2 * ms));
          }
        }
      }
    }
    return all;
  }

  private static SessionView holding(SessionView s, int held) {
    return s.later(0, held, s.tasksDone(), s.msPerTask());
  }

  @Test
  void hasANameOfLowerCaseLettersDigitsAndDashes() {
    assertThat(policy().name()).matches("[a-z0-9-]+");
  }

  @Test
  void knowingTheSessionNeverGrantsMoreThanRequestedNorPastTheHoldLimit() {
    for (var s : sessions()) {
      int limit = DispatchPolicy.holdLimit(policy(), s.profile());
      for (int requested = 1; requested <= 600; requested += 37) {
        for (int held = 0; held <= 600; held += 41) {
          int granted = policy().grant(holding(s, held), requested);
          assertThat(granted)
              .as("grant(%s, requested=%d, held=%d)", s.id(), requested, held)
              .isBetween(0, requested);
          assertThat(held + granted)
              .as("held after grant(%s, requested=%d, held=%d)", s.id(), requested, held)
              .isLessThanOrEqualTo(Math.max(held, limit));
        }
      }
    }
  }

  @Test
  void knowingTheSessionStillGrantsSomethingToOneThatHoldsNothing() {
    for (var s : sessions()) {
      assertThat(policy().grant(s, policy().batch(s.profile()))).as("idle %s", s.id()).isPositive();
    }
  }

  @Test
  void aSessionThatFollowsTheProtocolIsNeverStarvedHoweverLongItStays() {
    for (var s0 : sessions()) {
      var v = s0.profile();
      int held = 0;
      long done = 0;
      for (int round = 0; round < 50; round++) {
        var s = s0.later(round * 1000L, held, done, s0.msPerTask());
        int threshold = Math.max(1, policy().prefetchBelow(v));
        if (held < threshold) {
          int granted = policy().grant(s, policy().batch(v));
          assertThat(granted).as("round %d for %s holding %d", round, s.id(), held).isPositive();
          held += granted;
        }
        int finished = Math.min(held, v.workers());
        held -= finished;
        done += finished;
      }
    }
  }

  @Test
  void asksToSeeBetweenOneAndTheMostCandidates() {
    assertThat(policy().candidates()).isBetween(1, DispatchPolicy.MAX_CANDIDATES);
  }

  @Test
  void choosesOneOfTheCandidatesItIsShown() {
    int n = policy().candidates();
    List<TaskView> tasks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tasks.add(new TaskView("j", i, 1.0 - i * 0.9 / n, 100 * (i + 1), i % 3));
    }
    for (var s : sessions()) {
      for (int size = 1; size <= n; size++) {
        assertThat(policy().choose(s, tasks.subList(0, size)))
            .as("choice for %s among %d", s.id(), size)
            .isBetween(0, size - 1);
      }
    }
  }

  @Test
  void duplicatesOnlyATaskItIsShownAndNeverOneAlreadyCopiedTwice() {
    long now = 100_000_000;
    var leaving =
        new SessionView(
            "leaving",
            VOLUNTEERS.get(0),
            SessionView.Kind.BROWSER,
            now - 1,
            now,
            4,
            0,
            60_000,
            60_000);
    List<HeldTask> held = new ArrayList<>();
    for (int i = 0; i < DispatchPolicy.MAX_CANDIDATES; i++) {
      held.add(new HeldTask(new TaskView("j", i, 1, 60_000, 0), leaving, now - i * 60_000L, 1));
    }
    List<HeldTask> copied =
        held.stream().map(h -> new HeldTask(h.task(), h.holder(), h.leasedAt(), 3)).toList();
    for (var s : sessions()) {
      assertThat(policy().duplicate(s, List.of())).as("nothing held, %s", s.id()).isEmpty();
      OptionalInt pick = policy().duplicate(s, held);
      if (pick.isPresent()) {
        assertThat(pick.getAsInt()).as("copy for %s", s.id()).isBetween(0, held.size() - 1);
      }
      assertThat(policy().duplicate(s, copied)).as("three copies out, %s", s.id()).isEmpty();
    }
  }

  @Test
  void staysWithinItsBoundsAfterLearningFromDepartures() {
    var p = policy();
    for (var s : sessions()) {
      p.departed(s, s.stayedMillis() % 2 == 0);
    }
    for (var s : sessions()) {
      int granted = p.grant(s, p.batch(s.profile()));
      assertThat(granted)
          .as("after departures, %s", s.id())
          .isBetween(1, DispatchPolicy.holdLimit(p, s.profile()));
    }
  }
}
