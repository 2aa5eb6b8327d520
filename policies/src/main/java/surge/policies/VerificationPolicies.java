package surge.policies;

import java.util.ServiceLoader;

/**
 * Finds a {@link VerificationPolicy} by name among those {@link ServiceLoader} sees through a class
 * loader: the built-ins, and any a centre adds in a jar with a {@code
 * META-INF/services/surge.policies.VerificationPolicy} file naming its class (public, with a public
 * no-argument constructor).
 */
public final class VerificationPolicies {
  private VerificationPolicies() {}

  /**
   * @throws IllegalArgumentException naming the policies there are, when none has {@code name}
   */
  public static VerificationPolicy named(String name, ClassLoader loader) {
    return ServicePolicies.named(
        VerificationPolicy.class,
        VerificationPolicy::name,
        name,
        loader,
        "SURGE_VERIFICATION_POLICY",
        "verification policy");
  }
}
