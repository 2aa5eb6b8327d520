package surge.policies;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds a {@link KernelPolicy} by name among those {@link ServiceLoader} sees through a class
 * loader: the built-ins, and any a centre adds in a jar with a {@code
 * META-INF/services/surge.policies.KernelPolicy} file naming its class (public, with a public
 * no-argument constructor).
 */
public final class KernelPolicies {
  private KernelPolicies() {}

  /**
   * @throws IllegalArgumentException naming the policies there are, when none has {@code name}
   */
  public static KernelPolicy named(String name, ClassLoader loader) {
    List<String> names = new ArrayList<>();
    for (KernelPolicy p : ServiceLoader.load(KernelPolicy.class, loader)) {
      if (p.name().equals(name)) {
        return p;
      }
      names.add(p.name());
    }
    throw new IllegalArgumentException(
        "SURGE_KERNEL_POLICY names no kernel policy '" + name + "'; there are " + names);
  }
}
