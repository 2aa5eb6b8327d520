package surge.dispatch;

import java.time.Instant;

/**
 * The durable consequences of dispatching, in the order they happened. The dispatcher calls these
 * under its lock, so an implementation only queues them (the journal writes them in batches).
 */
public interface JobEvents {
  void jobStarted(String job, Instant at);

  void taskDone(String job, int index, byte[] stdout, double millis);

  /**
   * An accepted result is thrown away (its volunteer was caught cheating): the task will be done
   * again. Comes after that task's {@link #taskDone} and before the job's {@link #jobCompleted}.
   */
  void taskUndone(String job, int index);

  /** How the job's results were checked; comes before its completion, failure or cancellation. */
  default void verification(String job, VerificationReport report) {}

  /** Every task of the job is done; comes after the last {@link #taskDone} of the job. */
  void jobCompleted(String job);

  void jobFailed(String job, JobFailure failure);

  void jobCancelled(String job, String reason);
}
