package surge.policies;

import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds a {@link DispatchPolicy} by the name {@code SURGE_DISPATCH_MODE} gives it, among the makers
 * {@link ServiceLoader} sees through a class loader: the built-ins, and any a centre adds in a jar
 * with a {@code META-INF/services/surge.policies.DispatchPolicyProvider} file naming its {@link
 * DispatchPolicyProvider}.
 */
public final class DispatchPolicies {
  private DispatchPolicies() {}

  /** Every built-in's name, the default first. */
  public static final List<String> NAMES = List.of("async", "batch", "speed", "dwell");

  /** As {@link #named(String, int, Duration, ClassLoader)} with this module's class loader. */
  public static DispatchPolicy named(String name, int tasksPerWorker, Duration lease) {
    return named(name, tasksPerWorker, lease, DispatchPolicies.class.getClassLoader());
  }

  /**
   * A new instance of the policy named {@code name} (stateful ones learn per instance).
   *
   * @throws IllegalArgumentException naming the policies there are, when none has {@code name}
   */
  public static DispatchPolicy named(
      String name, int tasksPerWorker, Duration lease, ClassLoader loader) {
    return ServicePolicies.named(
            DispatchPolicyProvider.class,
            DispatchPolicyProvider::name,
            name,
            loader,
            "SURGE_DISPATCH_MODE",
            "dispatch policy")
        .create(tasksPerWorker, lease);
  }
}
