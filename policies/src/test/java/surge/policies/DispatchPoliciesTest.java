package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DispatchPoliciesTest {
  @Test
  void everyBuiltInIsFoundByItsOwnName() {
    for (String name : DispatchPolicies.NAMES) {
      var p = DispatchPolicies.named(name, 3, Duration.ofSeconds(10));
      assertThat(p.name()).isEqualTo(name);
      assertThat(p.lease(new VolunteerProfile(1, ""))).isEqualTo(Duration.ofSeconds(10));
    }
  }

  @Test
  void eachCallGivesAFreshInstanceSinceSomeLearn() {
    assertThat(DispatchPolicies.named("dwell", 3, Duration.ofSeconds(10)))
        .isNotSameAs(DispatchPolicies.named("dwell", 3, Duration.ofSeconds(10)));
  }

  @Test
  void anUnknownNameIsRefusedListingTheNames() {
    assertThatThrownBy(() -> DispatchPolicies.named("fastest", 3, Duration.ofSeconds(10)))
        .hasMessageContaining("SURGE_DISPATCH_MODE")
        .hasMessageContaining("fastest")
        .hasMessageContaining("dwell");
  }
}
