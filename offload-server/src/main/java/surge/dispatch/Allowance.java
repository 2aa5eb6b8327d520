package surge.dispatch;

/**
 * How many tasks one volunteer may hold, measured rather than claimed: a volunteer starts with a
 * small allowance and earns more by returning valid results in time, as a TCP sender earns a larger
 * window by its acknowledgements. Each valid result adds one task (so the allowance doubles per
 * round of results, "slow start"); a failure, a timeout or a lapsed lease halves it. It never
 * exceeds {@code cap}: what the volunteer's own claim would let it hold, bounded by the server's
 * maximum. A claim of 4096 workers is thus worth nothing until the results show the workers.
 */
final class Allowance {
  private final int cap;
  private int tasks;

  Allowance(int start, int cap) {
    this.cap = Math.max(1, cap);
    this.tasks = Math.max(1, Math.min(start, this.cap));
  }

  int tasks() {
    return tasks;
  }

  /** Tasks it may still take while holding {@code held}. */
  int room(int held) {
    return Math.max(0, tasks - held);
  }

  void earned() {
    tasks = Math.min(cap, tasks + 1);
  }

  void lost() {
    tasks = Math.max(1, tasks / 2);
  }
}
