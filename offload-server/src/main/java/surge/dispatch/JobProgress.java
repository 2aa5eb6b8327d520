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
    Optional<Instant> startedAt,
    Optional<JobFailure> failure,
    VerificationReport verification) {

  /**
   * {@code RUNNING} once a task has gone out; {@code MERGING} once every task is done; {@code
   * FAILED} and {@code CANCELLED} from the moment the dispatcher ends the job until the journal has
   * stored that end, so a status read never lags behind the decision.
   */
  public enum Phase {
    QUEUED,
    RUNNING,
    MERGING,
    FAILED,
    CANCELLED
  }
}
