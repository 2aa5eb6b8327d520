package surge.policies;

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
    return ServicePolicies.named(
        KernelPolicy.class,
        KernelPolicy::name,
        name,
        loader,
        "SURGE_KERNEL_POLICY",
        "kernel policy");
  }
}
