package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RescuePoliciesTest {
  static final ClassLoader LOADER = RescuePoliciesTest.class.getClassLoader();
  static final RescueRules RULES = new RescueRules(Set.of("alice"), Set.of(), 0, 0, Set.of());

  @Test
  void rulesIsTheBuiltInRulesAsTheSettingsMadeThem() {
    assertThat(RescuePolicies.named("rules", RULES, LOADER)).isSameAs(RULES);
  }

  @Test
  void anUnknownNameIsRefusedListingTheNames() {
    assertThatThrownBy(() -> RescuePolicies.named("urgent-first", RULES, LOADER))
        .hasMessage("SURGE_RESCUE_POLICY names no rescue policy 'urgent-first'; there are [rules]");
  }
}
