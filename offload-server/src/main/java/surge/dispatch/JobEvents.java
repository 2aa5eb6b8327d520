package surge.dispatch;

import java.time.Instant;

/**
 * The durable consequences of dispatching, in the order they happened. The dispatcher calls these
 * under its lock, so an implementation only queues them (the journal writes them in batches).
 */
public interface JobEvents {
  void jobStarted(String job, Instant at);

  void taskDone(String job, int index, byte[] stdout, double millis);

  /** Every task of the job is done; comes after the last {@link #taskDone} of the job. */
  void jobCompleted(String job);

  void jobFailed(String job, JobFailure failure);

  void jobCancelled(String job, String reason);
}
