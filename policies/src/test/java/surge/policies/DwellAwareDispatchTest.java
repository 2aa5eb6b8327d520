package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DwellAwareDispatchTest extends DispatchPolicyContract {
  private static final long NOW = 1_000_000_000;
  private static final VolunteerProfile TWO = new VolunteerProfile(2, "laptop");

  @Override
  protected DispatchPolicy policy() {
    return new DwellAwareDispatch(4, Duration.ofSeconds(30));
  }

  /** Browsers stay a minute (shape 0.75), machines an hour. */
  private static DwellAwareDispatch known() {
    return new DwellAwareDispatch(
        4,
        Duration.ofSeconds(30),
        WeibullDwell.fixed(0.75, 60_000),
        WeibullDwell.fixed(0.75, 3_600_000),
        0.5,
        0.3);
  }

  private static SessionView browser(long stayed, int held, double msPerTask) {
    return new SessionView(
        "b", TWO, SessionView.Kind.BROWSER, NOW - stayed, NOW, held, 0, msPerTask, Double.NaN);
  }

  @Test
  void aSessionOfUnknownSpeedGetsOneTaskPerWorker() {
    assertThat(known().grant(browser(0, 0, Double.NaN), 8)).isEqualTo(2);
    assertThat(known().grant(browser(3_600_000, 0, Double.NaN), 8)).isEqualTo(2);
  }

  @Test
  void aVisitorThatJustArrivedGetsWhatFitsItsLikelyStayAndALongOneTheFullPrefetch() {
    var p = known();
    // Tasks of 10 s: a visitor that just arrived stays ~40 s more (median), two workers: 8 fit,
    // but async would give 10.
    int fresh = p.grant(browser(0, 0, 10_000), 10);
    int settled = p.grant(browser(1_800_000, 0, 10_000), 10);
    assertThat(fresh).isBetween(2, 9);
    assertThat(settled).isEqualTo(10);
    // Tasks of a minute: one per worker, whatever it asks.
    assertThat(p.grant(browser(0, 0, 60_000), 10)).isEqualTo(2);
  }

  @Test
  void theLongerASessionStayedTheMoreItMayHold() {
    var p = known();
    int last = 0;
    for (long stayed = 0; stayed <= 3_600_000; stayed += 60_000) {
      int granted = p.grant(browser(stayed, 0, 20_000), 10);
      assertThat(granted).as("stayed %d", stayed).isGreaterThanOrEqualTo(last);
      last = granted;
    }
    assertThat(last).isEqualTo(10);
  }

  @Test
  void aKeyedMachineIsTrustedToStayLongerThanABrowser() {
    var p = known();
    var machine =
        new SessionView("m", TWO, SessionView.Kind.KEYED, NOW, NOW, 0, 0, 15_000, Double.NaN);
    assertThat(p.grant(machine, 10)).isGreaterThan(p.grant(browser(0, 0, 15_000), 10));
  }

  @Test
  void aSessionTopsUpToItsTargetAndNoFurther() {
    var p = known();
    int target = p.target(browser(0, 0, 10_000));
    assertThat(p.grant(browser(0, target, 10_000), 10)).isZero();
    assertThat(p.grant(browser(0, target - 1, 10_000), 10)).isEqualTo(1);
  }

  @Test
  void aSessionLikelyToLeaveTakesTheTaskWithTheLeastWorkLeft() {
    var p = known();
    var tasks =
        List.of(
            new TaskView("j", 0, 1, 60_000, 0),
            new TaskView("j", 1, 0.3, 60_000, 1),
            new TaskView("j", 2, 0.1, 60_000, 1));
    assertThat(p.choose(browser(0, 0, 60_000), tasks)).isEqualTo(2);
    // one that will likely stay for a whole task takes the head
    assertThat(p.choose(browser(3_600_000, 0, 60_000), tasks)).isZero();
    // without a checkpoint every task is the same: the head
    var fresh = List.of(TaskView.fresh("j", 0), TaskView.fresh("j", 1));
    assertThat(p.choose(browser(0, 0, 60_000), fresh)).isZero();
  }

  @Test
  void copiesATaskHeldByAVisitorLikelyToLeaveOntoOneLikelyToStay() {
    var p = known();
    var newcomer = browser(2_000, 1, 30_000);
    var task = new TaskView("j", 7, 1, 30_000, 0);
    var atRisk = new HeldTask(task, newcomer, NOW - 1_000, 1);
    var longStayer = browser(3_600_000, 0, 30_000);
    assertThat(p.duplicate(longStayer, List.of(atRisk))).hasValue(0);
    // another newcomer is no likelier to finish it
    assertThat(p.duplicate(browser(0, 0, 30_000), List.of(atRisk))).isEmpty();
    // a machine that has run for hours is not at risk
    var machine =
        new SessionView("m", TWO, SessionView.Kind.KEYED, NOW - 7_200_000, NOW, 1, 9, 30_000, 0);
    assertThat(p.duplicate(longStayer, List.of(new HeldTask(task, machine, NOW - 1_000, 1))))
        .isEmpty();
    // nor copied twice, nor onto a taker with no idle worker
    assertThat(p.duplicate(longStayer, List.of(new HeldTask(task, newcomer, NOW - 1_000, 2))))
        .isEmpty();
    assertThat(p.duplicate(browser(3_600_000, 2, 30_000), List.of(atRisk))).isEmpty();
  }

  @Test
  void copiesATaskLongOverdueWhoeverHoldsIt() {
    var p = known();
    var machine =
        new SessionView("m", TWO, SessionView.Kind.KEYED, NOW - 7_200_000, NOW, 1, 9, 1_000, 0);
    var overdue = new HeldTask(new TaskView("j", 3, 1, 1_000, 0), machine, NOW - 60_000, 1);
    assertThat(p.duplicate(browser(3_600_000, 0, 1_000), List.of(overdue))).hasValue(0);
  }

  @Test
  void learnsFromDeparturesThatVisitorsStayBriefly() {
    var p = (DwellAwareDispatch) policy();
    var s = browser(600_000, 0, 5_000);
    int before = p.grant(s, 10);
    for (int i = 0; i < 200; i++) {
      long stay = 2_000 + (i % 20) * 500;
      p.departed(
          new SessionView(
              "gone" + i, TWO, SessionView.Kind.BROWSER, NOW - stay, NOW, 0, 0, 5_000, 5_000),
          true);
    }
    assertThat(p.dwell(SessionView.Kind.BROWSER).scaleMillis()).isLessThan(30_000);
    assertThat(p.dwell(SessionView.Kind.KEYED).samples()).isZero();
    assertThat(p.grant(browser(0, 0, 5_000), 10)).isLessThan(before);
  }

  @Test
  void refusesNonsenseConfiguration() {
    var d = WeibullDwell.fixed(1, 1_000);
    assertThatThrownBy(() -> new DwellAwareDispatch(4, Duration.ofSeconds(1), d, d, 1, 0.3))
        .hasMessageContaining("keep");
    assertThatThrownBy(() -> new DwellAwareDispatch(4, Duration.ofSeconds(1), d, d, 0.5, 0))
        .hasMessageContaining("duplicateAbove");
    assertThatThrownBy(() -> new DwellAwareDispatch(0, Duration.ofSeconds(1)))
        .hasMessageContaining("tasksPerWorker");
  }
}
