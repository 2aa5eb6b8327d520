package surge.policies;

/**
 * A queued task as a {@link DispatchPolicy} sees it when it chooses among candidates.
 *
 * @param job the job's id
 * @param index the task's index in the job
 * @param remainingFraction how much of the task is left to compute, from 0 (exclusive) to 1: below
 *     1 only when a checkpoint lets it resume part done; 1 when unknown
 * @param jobMsPerTask the job's mean wall time per whole task on one worker; NaN when unknown
 * @param attempts how many times it was lost already (leases lapsed or released)
 */
public record TaskView(
    String job, int index, double remainingFraction, double jobMsPerTask, int attempts) {
  public TaskView {
    if (!(remainingFraction > 0) || remainingFraction > 1) {
      remainingFraction = 1;
    }
    if (!(jobMsPerTask > 0) || !Double.isFinite(jobMsPerTask)) {
      jobMsPerTask = Double.NaN;
    }
    attempts = Math.max(0, attempts);
  }

  /** A fresh task of a job whose speed is not known yet. */
  public static TaskView fresh(String job, int index) {
    return new TaskView(job, index, 1, Double.NaN, 0);
  }

  /** Part done already: it resumes from a checkpoint. */
  public boolean resumable() {
    return remainingFraction < 1;
  }

  /**
   * Its expected remaining wall time on a worker that runs tasks in {@code msPerTask} (NaN: the
   * job's mean); NaN when neither is known.
   */
  public double remainingMillis(double msPerTask) {
    double per = Double.isNaN(msPerTask) ? jobMsPerTask : msPerTask;
    return per * remainingFraction;
  }
}
