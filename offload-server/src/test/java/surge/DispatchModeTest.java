package surge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import surge.config.Settings;
import surge.policies.DispatchPolicies;

class DispatchModeTest {
  @Test
  void everyBuiltInPolicyIsChosenByItsName() {
    for (String name : DispatchPolicies.NAMES) {
      var s = Settings.from(Map.of("SURGE_DISPATCH_MODE", name), k -> null);
      assertThat(Server.policy(s).name()).isEqualTo(name);
    }
    assertThat(Server.policy(Settings.from(Map.of(), k -> null)).name()).isEqualTo("async");
  }

  @Test
  void anUnknownModeStopsTheServerListingTheModes() {
    var settings = Settings.from(Map.of("SURGE_DISPATCH_MODE", "fastest"), k -> null);
    assertThatThrownBy(() -> Server.policy(settings))
        .hasMessageContaining("SURGE_DISPATCH_MODE")
        .hasMessageContaining("dwell")
        .hasMessageContaining("fastest");
  }
}
