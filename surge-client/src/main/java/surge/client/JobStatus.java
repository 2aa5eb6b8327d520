package surge.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@code GET /api/jobs/{id}}. Timestamps, {@code resultSize} and {@code error} are
 * null until they apply; the {@code Optional} accessors say so in the type. {@code verification} is
 * the server's one-line {@code verification.summary}, shown as sent (the server builds it; clients
 * never parse it), null from a server that verifies nothing or predates verification.
 */
public record JobStatus(
    String id,
    String name,
    JobState state,
    TaskCounts tasks,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Long resultSize,
    Failure error,
    String slurmJobId,
    String verification) {

  public JobStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    tasks = tasks == null ? new TaskCounts(0, 0, 0, 0, 0) : tasks;
  }

  public Optional<String> label() {
    return Optional.ofNullable(name).filter(n -> !n.isBlank());
  }

  /** {@code verified: 720 tasks, 1.18× work, 3 disagreements, 1 volunteer blacklisted} */
  public Optional<String> verificationSummary() {
    return Optional.ofNullable(verification).filter(v -> !v.isBlank());
  }

  public Optional<Failure> failure() {
    return Optional.ofNullable(error);
  }

  /** How many of the job's tasks are in each state. */
  public record TaskCounts(int total, int queued, int leased, int done, int failed) {}

  /**
   * Why a job failed. {@code task}, {@code exitCode} and {@code stderrTail} are null unless one
   * task failed the job.
   */
  public record Failure(String message, Integer task, Integer exitCode, String stderrTail) {
    public Optional<String> stderr() {
      return Optional.ofNullable(stderrTail).filter(s -> !s.isBlank());
    }
  }
}
