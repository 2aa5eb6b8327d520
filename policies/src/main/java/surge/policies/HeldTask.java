package surge.policies;

/**
 * A task out on a lease while nothing else is queued: a candidate for a tail duplicate.
 *
 * @param task the task
 * @param holder the session holding it (its view at the time of the decision)
 * @param leasedAt when the holder's lease began (on the caller's clock)
 * @param copies how many leases of it are out now, the original included (1: none duplicated)
 */
public record HeldTask(TaskView task, SessionView holder, long leasedAt, int copies) {
  public HeldTask {
    if (task == null || holder == null) {
      throw new IllegalArgumentException("a held task needs its task and its holder");
    }
    if (copies < 1) {
      throw new IllegalArgumentException("copies counts the original lease, got " + copies);
    }
  }

  /** How long the holder has had it, at the holder's {@code now}. */
  public long heldMillis() {
    return Math.max(0, holder.now() - leasedAt);
  }
}
