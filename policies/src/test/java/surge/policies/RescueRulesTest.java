package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RescueRulesTest {
  static final String HASH = "ab".repeat(32);

  static RescueCandidate job(String user, int tasks, int cpus, String kernel) {
    return new RescueCandidate(
        "42",
        user,
        "batch",
        RescuePolicyContract.ELIGIBLE,
        Optional.of(Duration.ofSeconds(10)),
        Optional.ofNullable(kernel),
        Optional.of(HASH),
        OptionalInt.of(tasks),
        Optional.empty(),
        cpus,
        Optional.of(Duration.ofMinutes(30)));
  }

  static final Instant DUE = RescuePolicyContract.ELIGIBLE.plusSeconds(10);

  @Nested
  class AllowAll extends RescuePolicyContract {
    @Override
    protected RescuePolicy policy() {
      return RescueRules.allowAll();
    }

    @Override
    protected RescueCandidate acceptable() {
      return job("alice", 1_000_000, 4096, null);
    }
  }

  @Nested
  class Restricted extends RescuePolicyContract {
    @Override
    protected RescuePolicy policy() {
      return new RescueRules(Set.of("alice"), Set.of(), 100, 8, Set.of("montecarlo.wasm"));
    }

    @Override
    protected RescueCandidate acceptable() {
      return job("alice", 100, 8, "montecarlo.wasm");
    }
  }

  final RescueRules rules =
      new RescueRules(Set.of("alice", "bob"), Set.of("bob"), 100, 8, Set.of("montecarlo.wasm"));

  @Test
  void refusesUsersNotAllowedOrDeniedAndNamesThem() {
    var carol = rules.decide(job("carol", 1, 1, "montecarlo.wasm"), DUE);
    assertThat(carol.reason()).isEqualTo(RescueDecision.Reason.USER_REFUSED);
    assertThat(carol.detail()).contains("carol").contains("not among");
    var bob = rules.decide(job("bob", 1, 1, "montecarlo.wasm"), DUE);
    assertThat(bob.reason()).isEqualTo(RescueDecision.Reason.USER_REFUSED);
    assertThat(bob.detail()).contains("denied");
  }

  @Test
  void refusesJobsOverTheSizeLimitsAndNamesTheLimit() {
    var tasks = rules.decide(job("alice", 101, 1, "montecarlo.wasm"), DUE);
    assertThat(tasks.reason()).isEqualTo(RescueDecision.Reason.TOO_MANY_TASKS);
    assertThat(tasks.detail()).contains("101").contains("100");
    var cpus = rules.decide(job("alice", 1, 9, "montecarlo.wasm"), DUE);
    assertThat(cpus.reason()).isEqualTo(RescueDecision.Reason.TOO_MANY_CPUS);
    assertThat(cpus.detail()).contains("9 CPUs").contains("8");
  }

  @Test
  void refusesAnUnreadableTaskCountWhenTasksAreLimited() {
    var c = job("alice", 1, 1, "montecarlo.wasm");
    var unread =
        new RescueCandidate(
            c.slurmJobId(),
            c.user(),
            c.partition(),
            c.eligibleAt(),
            c.rescueAfter(),
            c.kernel(),
            c.kernelSha256(),
            OptionalInt.empty(),
            c.deadline(),
            c.cpus(),
            c.timeLimit());
    assertThat(rules.decide(unread, DUE).reason()).isEqualTo(RescueDecision.Reason.TOO_MANY_TASKS);
  }

  @Test
  void allowsKernelsByNameOrByHash() {
    assertThat(rules.decide(job("alice", 1, 1, "fire.wasm"), DUE).reason())
        .isEqualTo(RescueDecision.Reason.KERNEL_REFUSED);
    var byHash = new RescueRules(Set.of(), Set.of(), 0, 0, Set.of(HASH.toUpperCase()));
    assertThat(byHash.decide(job("alice", 1, 1, "fire.wasm"), DUE).rescue()).isTrue();
  }

  @Test
  void refusesNegativeLimits() {
    assertThatThrownBy(() -> new RescueRules(Set.of(), Set.of(), -1, 0, Set.of()))
        .hasMessageContaining("maxTasks");
  }
}
