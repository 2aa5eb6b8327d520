package surge.policies;

import java.time.Duration;
import java.util.ServiceLoader;

/**
 * Makes the {@link DispatchPolicy} that {@code SURGE_DISPATCH_MODE} names. Dispatch policies take
 * the server's {@code SURGE_TASKS_PER_WORKER} and {@code SURGE_LEASE}, and some learn per instance,
 * so {@link ServiceLoader} finds this maker (public, with a public no-argument constructor, listed
 * in {@code META-INF/services/surge.policies.DispatchPolicyProvider}) rather than the policy.
 */
public interface DispatchPolicyProvider {
  /** What {@code SURGE_DISPATCH_MODE} says to choose it; the policy's own {@code name()}. */
  String name();

  /**
   * A new policy; the server makes one at start.
   *
   * @param tasksPerWorker SURGE_TASKS_PER_WORKER
   * @param lease SURGE_LEASE
   */
  DispatchPolicy create(int tasksPerWorker, Duration lease);
}
