package surge.policies;

import java.util.ArrayList;
import java.util.List;
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
    List<String> names = new ArrayList<>();
    for (VerificationPolicy p : ServiceLoader.load(VerificationPolicy.class, loader)) {
      if (p.name().equals(name)) {
        return p;
      }
      names.add(p.name());
    }
    throw new IllegalArgumentException(
        "SURGE_VERIFICATION_POLICY names no verification policy '"
            + name
            + "'; there are "
            + names);
  }
}
