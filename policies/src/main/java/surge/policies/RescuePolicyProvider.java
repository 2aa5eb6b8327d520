package surge.policies;

import java.util.ServiceLoader;

/**
 * Makes the {@link RescuePolicy} that {@code SURGE_RESCUE_POLICY} names. {@link ServiceLoader}
 * finds this maker (public, with a public no-argument constructor, listed in {@code
 * META-INF/services/surge.policies.RescuePolicyProvider}); it is handed the built-in rules as the
 * {@code SURGE_RESCUE_*} settings made them, so a centre's policy may ask them first and add its
 * own.
 */
public interface RescuePolicyProvider {
  /** What {@code SURGE_RESCUE_POLICY} says to choose it. */
  String name();

  /**
   * The policy; the server makes one at start.
   *
   * @param rules the built-in rules of SURGE_RESCUE_USERS, _DENY_USERS, _MAX_TASKS, _MAX_CPUS and
   *     _KERNELS
   */
  RescuePolicy create(RescueRules rules);
}
