package surge.dispatch;

/**
 * How much of a queued task is left, for a policy that gives short sessions the tasks with the
 * least work left: where checkpoints are kept, a task requeued with one resumes part done. The
 * dispatcher asks only for the tasks it shows a policy.
 */
public interface TaskProgress {
  /** No task is ever part done. */
  TaskProgress NONE =
      new TaskProgress() {
        @Override
        public boolean anyResumable(String job) {
          return false;
        }

        @Override
        public double remainingFraction(String job, int index) {
          return 1;
        }
      };

  /** Whether any queued task of the job could resume part done (if not, no choice is made). */
  boolean anyResumable(String job);

  /** From 0 (exclusive) to 1: how much of the task is left; 1 when unknown. */
  double remainingFraction(String job, int index);
}
