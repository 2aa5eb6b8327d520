package surge.dispatch;

import surge.policies.DispatchPolicy;

/** Bridges the run queue's choice to the dispatch policy's (only built when it chooses). */
final class PolicyChoice implements RunQueue.Choice {
  interface Chooser {
    int choose(JobRun run, int[] indices, int n);
  }

  private final Chooser chooser;
  private final int among;

  PolicyChoice(Chooser chooser, int among) {
    this.chooser = chooser;
    this.among = Math.min(among, DispatchPolicy.MAX_CANDIDATES);
  }

  @Override
  public int among(JobRun run) {
    return among;
  }

  @Override
  public int choose(JobRun run, int[] indices, int n) {
    return chooser.choose(run, indices, n);
  }

  /** Whether {@code policy} overrides {@link DispatchPolicy#duplicate} (else it never copies). */
  static boolean copiesTail(DispatchPolicy policy) {
    try {
      return policy
              .getClass()
              .getMethod("duplicate", surge.policies.SessionView.class, java.util.List.class)
              .getDeclaringClass()
          != DispatchPolicy.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
