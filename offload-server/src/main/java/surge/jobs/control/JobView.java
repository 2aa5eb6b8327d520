package surge.jobs.control;

import java.time.Instant;
import java.util.Optional;
import surge.jobs.entity.JobState;

/** A job's status as the API shows it: the stored job plus the dispatcher's live counts. */
public record JobView(
    String id,
    Optional<String> name,
    JobState state,
    int total,
    int queued,
    int leased,
    int done,
    int failed,
    int priority,
    Optional<Instant> deadline,
    Optional<String> slurmJobId,
    Instant createdAt,
    Optional<Instant> startedAt,
    Optional<Instant> finishedAt,
    Optional<Long> resultSize,
    Optional<Error> error,
    Optional<String> owner,
    Optional<surge.dispatch.VerificationReport> verification) {

  /** Why a job failed; the task fields are present when one task's failure ended the job. */
  public record Error(
      String message,
      Optional<Integer> task,
      Optional<Integer> exitCode,
      Optional<String> stderrTail) {}
}
