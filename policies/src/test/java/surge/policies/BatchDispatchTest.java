package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchDispatchTest extends DispatchPolicyContract {

  @Override
  protected DispatchPolicy policy() {
    return new BatchDispatch(3, Duration.ofSeconds(10));
  }

  @Test
  void asksOnlyWhenEmptyAndNeverHoldsMoreThanOneBatch() {
    var v = new VolunteerProfile(4, "desktop");
    assertThat(policy().prefetchBelow(v)).isZero();
    assertThat(policy().grant(v, 12, 0)).isEqualTo(12);
    assertThat(policy().grant(v, 12, 5)).isEqualTo(7);
    assertThat(policy().grant(v, 12, 12)).isZero();
  }
}
