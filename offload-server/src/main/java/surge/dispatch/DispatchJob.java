package surge.dispatch;

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
 */
public record DispatchJob(
    String id,
    int taskCount,
    int priority,
    Optional<Instant> deadline,
    long sequence,
    Instant submitted,
    IntFunction<Payload> payloads) {

  /** The parts of a task that come from the job rather than from the lease. */
  public record Payload(String kernel, List<String> args, Map<String, String> env, byte[] stdin) {}
}
