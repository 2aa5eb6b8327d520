package surge.dispatch;

import java.time.Instant;
import java.util.Optional;

/** Live counts of a job the dispatcher holds. */
public record JobProgress(
    String job,
    Phase phase,
    int total,
    int queued,
    int leased,
    int done,
    Optional<Instant> startedAt) {

  /** {@code RUNNING} once a task has gone out; {@code MERGING} once every task is done. */
  public enum Phase {
    QUEUED,
    RUNNING,
    MERGING
  }
}
