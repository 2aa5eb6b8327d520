package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RescuePolicy} must do, whatever else it checks. Extend this, implement {@link
 * #policy()}, and {@link #acceptable()} with a due candidate the policy rescues.
 */
public abstract class RescuePolicyContract {
  protected static final Instant ELIGIBLE = Instant.parse("2026-11-23T18:00:00Z");

  protected abstract RescuePolicy policy();

  /** A candidate, opted in with some rescue-after, that the policy rescues once due. */
  protected abstract RescueCandidate acceptable();

  /** Candidates of every shape, opted in or not, with and without the optional fields. */
  protected List<RescueCandidate> variety() {
    RescueCandidate a = acceptable();
    List<RescueCandidate> all = new ArrayList<>();
    all.add(a);
    all.add(withRescueAfter(a, Optional.empty()));
    all.add(withRescueAfter(a, Optional.of(Duration.ofMillis(1))));
    all.add(withRescueAfter(a, Optional.of(Duration.ofDays(3))));
    all.add(
        new RescueCandidate(
            "77",
            "someone-else",
            "batch",
            ELIGIBLE,
            Optional.of(Duration.ofSeconds(30)),
            Optional.empty(),
            Optional.empty(),
            OptionalInt.empty(),
            Optional.empty(),
            1_000_000,
            Optional.empty()));
    return all;
  }

  protected static RescueCandidate withRescueAfter(RescueCandidate c, Optional<Duration> after) {
    return new RescueCandidate(
        c.slurmJobId(),
        c.user(),
        c.partition(),
        c.eligibleAt(),
        after,
        c.kernel(),
        c.kernelSha256(),
        c.tasks(),
        c.deadline(),
        c.cpus(),
        c.timeLimit());
  }

  @Test
  void rescuesTheAcceptableCandidateOnceDue() {
    var c = acceptable();
    var d = policy().decide(c, c.dueAt().orElseThrow());
    assertThat(d.rescue()).as("%s", d).isTrue();
    assertThat(d.reason()).isEqualTo(RescueDecision.Reason.ALLOWED);
  }

  @Test
  void neverRescuesAJobThatDidNotOptIn() {
    for (var c : variety()) {
      var out = withRescueAfter(c, Optional.empty());
      for (Instant now : List.of(ELIGIBLE, ELIGIBLE.plus(Duration.ofDays(365)))) {
        var d = policy().decide(out, now);
        assertThat(d.rescue()).as("%s at %s: %s", out, now, d).isFalse();
        assertThat(d.reason()).isEqualTo(RescueDecision.Reason.NOT_OPTED_IN);
      }
    }
  }

  @Test
  void neverRescuesBeforeRescueAfterHasPassed() {
    for (var c : variety()) {
      if (c.dueAt().isEmpty()) {
        continue;
      }
      Instant due = c.dueAt().get();
      for (Instant now : List.of(ELIGIBLE.minusSeconds(60), ELIGIBLE, due.minusMillis(1))) {
        if (!now.isBefore(due)) {
          continue;
        }
        var d = policy().decide(c, now);
        assertThat(d.rescue()).as("%s at %s: %s", c, now, d).isFalse();
        assertThat(d.reason()).isEqualTo(RescueDecision.Reason.NOT_DUE);
      }
    }
  }

  @Test
  void alwaysAnswersWithAReason() {
    for (var c : variety()) {
      for (Instant now :
          List.of(ELIGIBLE, ELIGIBLE.plusSeconds(1), ELIGIBLE.plus(Duration.ofDays(4)))) {
        var d = policy().decide(c, now);
        assertThat(d).as("%s at %s", c, now).isNotNull();
        assertThat(d.reason()).isNotNull();
        assertThat(d.detail()).isNotBlank();
        assertThat(d.rescue()).isEqualTo(d.reason().rescue());
      }
    }
  }

  @Test
  void givesTheSameAnswerWhenAskedAgain() {
    for (var c : variety()) {
      Instant now = ELIGIBLE.plus(Duration.ofDays(4));
      assertThat(policy().decide(c, now)).isEqualTo(policy().decide(c, now));
    }
  }
}
