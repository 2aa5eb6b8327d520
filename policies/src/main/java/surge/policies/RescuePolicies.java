package surge.policies;

import java.util.ServiceLoader;

/**
 * Finds a {@link RescuePolicy} by the name {@code SURGE_RESCUE_POLICY} gives it, among the makers
 * {@link ServiceLoader} sees through a class loader: the built-in {@code rules} ({@link
 * RescueRules} as the settings made them), and any a centre adds in a jar with a {@code
 * META-INF/services/surge.policies.RescuePolicyProvider} file.
 */
public final class RescuePolicies {
  private RescuePolicies() {}

  /**
   * @param rules the built-in rules from the settings, handed to the maker
   * @throws IllegalArgumentException naming the policies there are, when none has {@code name}
   */
  public static RescuePolicy named(String name, RescueRules rules, ClassLoader loader) {
    return ServicePolicies.named(
            RescuePolicyProvider.class,
            RescuePolicyProvider::name,
            name,
            loader,
            "SURGE_RESCUE_POLICY",
            "rescue policy")
        .create(rules);
  }

  /** {@code rules}: the built-in {@link RescueRules}, the default. */
  public static final class Rules implements RescuePolicyProvider {
    @Override
    public String name() {
      return "rules";
    }

    @Override
    public RescuePolicy create(RescueRules rules) {
      return rules;
    }
  }
}
