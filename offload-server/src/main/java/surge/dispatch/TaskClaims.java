package surge.dispatch;

import java.util.BitSet;

/**
 * The claiming hook: where this instance's runnable tasks come from. The dispatcher asks it which
 * of a submitted job's tasks to queue here, tells it when its local queue runs low while volunteers
 * wait, and tells it when a task it holds is done or released. With one instance every task is
 * local ({@link #LOCAL}, the default); a cluster claims tasks from the shared database and hands
 * them in with {@link Dispatcher#claimed(String, BitSet)} (docs/scale-out.md).
 *
 * <p>{@link #onSubmit}, {@link #done} and {@link #released} are called with the dispatcher's lock
 * held and must return at once (queue the work); {@link #runningLow} is called after the lock is
 * released, so it may call back into the dispatcher.
 */
public interface TaskClaims {

  /**
   * Which of a job's {@code pending} tasks (not done) to queue here now; the rest may come later
   * through {@link Dispatcher#claimed(String, BitSet)}. A subset of {@code pending}; may be it.
   */
  BitSet onSubmit(DispatchJob job, BitSet pending);

  /** Below this many queued tasks, with volunteers waiting, the queue is low. */
  int lowMark();

  /** The local queue holds {@code queued} tasks, fewer than {@link #lowMark()}: claim more. */
  void runningLow(long queued);

  /** Task {@code index} of {@code job} was accepted here (its result is on its way to storage). */
  void done(String job, int index);

  /** Task {@code index} of {@code job} leaves this instance without a result (its job ended). */
  void released(String job, int index);

  /** One instance: every task of every job submitted here is queued here; nothing to claim. */
  TaskClaims LOCAL =
      new TaskClaims() {
        @Override
        public BitSet onSubmit(DispatchJob job, BitSet pending) {
          return pending;
        }

        @Override
        public int lowMark() {
          return 0;
        }

        @Override
        public void runningLow(long queued) {}

        @Override
        public void done(String job, int index) {}

        @Override
        public void released(String job, int index) {}

        @Override
        public String toString() {
          return "TaskClaims.LOCAL";
        }
      };
}
