package surge.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * What the dispatcher needs to know of a job: how many tasks, in which order against other jobs,
 * and how to build task {@code i}'s payload.
 *
 * @param submitted when the job was accepted, for "submit to first task" latency
 * @param started when its first task went out, if it did before a restart
 * @param slurmJobId the Slurm job it runs for, if any (told to {@link DeadlineMissed})
 * @param taskTimeout each task's wall-time limit; empty: the server's ({@link
 *     DispatchLimits#taskTimeout})
 * @param verify how its results are checked
 * @param owner the user who submitted it (a volunteer may be barred from one owner's jobs)
 */
public record DispatchJob(
    String id,
    int taskCount,
    int priority,
    Optional<Instant> deadline,
    long sequence,
    Instant submitted,
    Optional<Instant> started,
    Optional<String> slurmJobId,
    IntFunction<Payload> payloads,
    Optional<Duration> taskTimeout,
    Verify verify,
    String owner) {

  /** A job whose first result per task is accepted. */
  public DispatchJob(
      String id,
      int taskCount,
      int priority,
      Optional<Instant> deadline,
      long sequence,
      Instant submitted,
      Optional<Instant> started,
      Optional<String> slurmJobId,
      IntFunction<Payload> payloads,
      Optional<Duration> taskTimeout) {
    this(
        id,
        taskCount,
        priority,
        deadline,
        sequence,
        submitted,
        started,
        slurmJobId,
        payloads,
        taskTimeout,
        Verify.FIRST,
        "");
  }

  /** A job with the server's task time limit. */
  public DispatchJob(
      String id,
      int taskCount,
      int priority,
      Optional<Instant> deadline,
      long sequence,
      Instant submitted,
      Optional<Instant> started,
      Optional<String> slurmJobId,
      IntFunction<Payload> payloads) {
    this(
        id,
        taskCount,
        priority,
        deadline,
        sequence,
        submitted,
        started,
        slurmJobId,
        payloads,
        Optional.empty());
  }

  /** The parts of a task that come from the job rather than from the lease. */
  public record Payload(String kernel, List<String> args, Map<String, String> env, byte[] stdin) {}
}
