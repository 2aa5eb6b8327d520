package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpeedAwareDispatchTest extends DispatchPolicyContract {
  private static final long NOW = 1_000_000;
  private static final VolunteerProfile TWO = new VolunteerProfile(2, "laptop");

  @Override
  protected DispatchPolicy policy() {
    return new SpeedAwareDispatch(4, Duration.ofSeconds(30));
  }

  private static SessionView session(double msPerTask, int held) {
    return new SessionView(
        "s", TWO, SessionView.Kind.BROWSER, NOW, NOW, held, 0, msPerTask, Double.NaN);
  }

  @Test
  void holdsAboutTenSecondsOfWork() {
    assertThat(policy().grant(session(100, 0), 100)).isEqualTo(10); // async's limit
    assertThat(policy().grant(session(4_000, 0), 100)).isEqualTo(5);
    assertThat(policy().grant(session(60_000, 0), 100)).isEqualTo(2);
    assertThat(policy().grant(session(Double.NaN, 0), 100)).isEqualTo(2);
    assertThat(policy().grant(session(4_000, 5), 100)).isZero();
  }

  @Test
  void ignoresHowLongASessionStayed() {
    var old = new SessionView("o", TWO, SessionView.Kind.BROWSER, 0, NOW, 0, 0, 4_000, 0);
    assertThat(policy().grant(old, 100)).isEqualTo(policy().grant(session(4_000, 0), 100));
  }

  @Test
  void copiesAStragglersTaskOntoAnIdleSessionNoSlower() {
    var slow = session(1_000, 1);
    var stuck = new HeldTask(new TaskView("j", 1, 1, 1_000, 0), slow, NOW - 10_000, 1);
    var onTime = new HeldTask(new TaskView("j", 2, 1, 1_000, 0), slow, NOW - 500, 1);
    assertThat(policy().duplicate(session(800, 0), List.of(onTime, stuck))).hasValue(1);
    assertThat(policy().duplicate(session(5_000, 0), List.of(stuck))).isEmpty();
    assertThat(policy().duplicate(session(800, 2), List.of(stuck))).isEmpty();
  }

  @Test
  void refusesANonPositiveHorizon() {
    assertThatThrownBy(() -> new SpeedAwareDispatch(4, Duration.ofSeconds(1), Duration.ZERO))
        .hasMessageContaining("horizon");
  }
}
