package surge.dispatch;

import surge.policies.DispatchPolicy;

/** Bridges the run queue's choice to the dispatch policy's (only built when it chooses). */
final class PolicyChoice implements RunQueue.Choice {
  interface Chooser {
    int choose(JobRun run, int[] indices, int n);
  }

  private final Chooser chooser;
  private final java.util.function.Predicate<JobRun> resumable;
  private final int among;

  /**
   * @param resumable whether a job may have part-done tasks: if not, every task is whole and the
   *     head is taken without showing the policy anything
   */
  PolicyChoice(Chooser chooser, java.util.function.Predicate<JobRun> resumable, int among) {
    this.chooser = chooser;
    this.resumable = resumable;
    this.among = Math.min(among, DispatchPolicy.MAX_CANDIDATES);
  }

  @Override
  public int among(JobRun run) {
    return resumable.test(run) ? among : 1;
  }

  @Override
  public int choose(JobRun run, int[] indices, int n) {
    return chooser.choose(run, indices, n);
  }

  /** Whether {@code policy} overrides {@link DispatchPolicy#duplicate} (else it never copies). */
  static boolean copiesTail(DispatchPolicy policy) {
    return overrides(policy, "duplicate", surge.policies.SessionView.class, java.util.List.class);
  }

  /**
   * Whether {@code policy} overrides the session-aware grant; if not, the dispatcher calls the
   * profile's and builds no SessionView (async and batch, on the per-result path).
   */
  static boolean grantsBySession(DispatchPolicy policy) {
    return overrides(policy, "grant", surge.policies.SessionView.class, int.class);
  }

  private static boolean overrides(DispatchPolicy policy, String name, Class<?>... types) {
    try {
      return policy.getClass().getMethod(name, types).getDeclaringClass() != DispatchPolicy.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
