package surge.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SimulationTest {
  private static final Scenario BASE =
      Scenario.defaults()
          .with("tasks", "120")
          .with("taskMs", "1000")
          .with("sessions", "4")
          .with("rttMs", "0")
          .with("startupMs", "0")
          .with("arrivalsPerHour", "240");

  @Test
  void constantSessionsGiveTheAnalyticMakespan() {
    // 120 tasks of 1 s on 4 sessions of one worker, one task at a time, no network delay: 30 s.
    Outcome r = new Simulation(BASE.with("constant", "true").with("tasksPerWorker", "1")).run();
    assertThat(r.finished()).isTrue();
    assertThat(r.tasksDone()).isEqualTo(120);
    assertThat(r.makespanMs()).isCloseTo(30_000, within(1.0));
    assertThat(r.lostShare()).isZero();
  }

  @Test
  void batchesOfFourMakeTheTailGranular() {
    // Grants of 4: 7 full rounds of 16 tasks, then two sessions take the last 8: 8 × 4 s.
    Outcome r = new Simulation(BASE.with("constant", "true")).run();
    assertThat(r.makespanMs()).isCloseTo(32_000, within(1.0));
  }

  @Test
  void roundTripsAddTheirShareToAConstantRun() {
    // Batch mode: each batch of 4 tasks waits one round trip after the last result; the busiest
    // session runs 8 batches, and its last result takes half a round trip to the server.
    Scenario s = BASE.with("constant", "true").with("policy", "batch").with("rttMs", "100");
    Outcome r = new Simulation(s).run();
    assertThat(r.makespanMs()).isCloseTo(32_000 + 8 * 100 + 50, within(1.0));
  }

  @Test
  void hostCoresShareTheCpuAmongRunningTasks() {
    // 4 sessions on 2 shared cores take twice as long as on their own devices.
    Outcome r = new Simulation(BASE.with("constant", "true").with("hostCores", "2")).run();
    assertThat(r.makespanMs()).isCloseTo(60_000, within(1.0));
  }

  @Test
  void theSameSeedGivesTheSameRunAndAnotherSeedAnotherOne() {
    Scenario churn = BASE.with("meanDwellMs", "20000");
    Outcome a = new Simulation(churn).run();
    Outcome b = new Simulation(churn).run();
    Outcome c = new Simulation(churn.with("seed", "2")).run();
    assertThat(a.figures()).isEqualTo(b.figures());
    assertThat(c.makespanMs()).isNotEqualTo(a.makespanMs());
  }

  @Test
  void churnFinishesEveryTaskAndCostsTime() {
    // Mean dwell 6 s, tasks of 2 s, 4 sessions on average (Little: 2,400/h × 6 s).
    Scenario churn =
        BASE.with("taskMs", "2000").with("meanDwellMs", "6000").with("arrivalsPerHour", "2400");
    double constant =
        new Simulation(BASE.with("taskMs", "2000").with("constant", "true")).run().makespanMs();
    for (String policy : surge.policies.DispatchPolicies.NAMES) {
      double makespan = 0;
      for (int seed = 1; seed <= 5; seed++) {
        Outcome r = new Simulation(churn.with("policy", policy).with("seed", "" + seed)).run();
        assertThat(r.finished()).as(policy).isTrue();
        assertThat(r.tasksDone()).as(policy).isEqualTo(120);
        assertThat(r.lostShare()).as(policy).isPositive();
        assertThat(r.visitors()).as(policy).isGreaterThan(4);
        makespan += r.makespanMs() / 5;
      }
      assertThat(makespan).as(policy).isGreaterThan(constant);
    }
  }

  @Test
  void checkpointsReduceTheWorkLost() {
    Scenario churn =
        BASE.with("meanDwellMs", "5000").with("arrivalsPerHour", "2880").with("taskMs", "4000");
    double without = 0;
    double with = 0;
    for (int seed = 1; seed <= 5; seed++) {
      Scenario s = churn.with("seed", Integer.toString(seed));
      without += new Simulation(s).run().lostShare();
      with += new Simulation(s.with("checkpointMs", "500")).run().lostShare();
    }
    assertThat(with).isLessThan(without / 2);
  }

  @Test
  void credibilityVerificationReplicatesBrowserResults() {
    Outcome none = new Simulation(BASE.with("constant", "true")).run();
    Outcome verified =
        new Simulation(BASE.with("constant", "true").with("verify", "credibility")).run();
    assertThat(verified.finished()).isTrue();
    assertThat(verified.replicaShare() + verified.spotShare()).isPositive();
    assertThat(verified.makespanMs()).isGreaterThan(none.makespanMs());
  }

  @Test
  void abruptLeavesNoticedLateCostMoreThanCleanOnes() {
    Scenario churn = BASE.with("meanDwellMs", "8000").with("arrivalsPerHour", "1800");
    double clean = 0;
    double late = 0;
    for (int seed = 1; seed <= 5; seed++) {
      Scenario s = churn.with("seed", Integer.toString(seed));
      clean += new Simulation(s).run().makespanMs();
      late +=
          new Simulation(s.with("cleanLeaveShare", "0").with("abruptDetectMs", "30000"))
              .run()
              .makespanMs();
    }
    assertThat(late).isGreaterThan(clean);
  }

  @Test
  void badScenarioFieldsAreNamed() {
    assertThatThrownBy(() -> BASE.with("shape", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shape");
    assertThatThrownBy(() -> BASE.with("nonsense", "1"))
        .hasMessageContaining("no scenario field 'nonsense'");
    assertThatThrownBy(() -> BASE.with("tasks", "many"))
        .hasMessageContaining("tasks must be a number");
    assertThatThrownBy(() -> new Simulation(BASE.with("policy", "fastest")))
        .hasMessageContaining("fastest");
  }
}
