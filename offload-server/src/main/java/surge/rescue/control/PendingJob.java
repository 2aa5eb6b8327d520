package surge.rescue.control;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * One line of {@code squeue -t PENDING}: a job waiting in a watched partition.
 *
 * @param eligibleAt Slurm's EligibleTime; empty while the job is not eligible (held, dependency)
 * @param reason Slurm's pending reason ({@code Resources}, {@code Priority}, {@code JobHeldUser},
 *     ...)
 * @param arrayTask true for an element (or the pending rest) of a job array
 * @param timeLimit empty when unlimited
 */
public record PendingJob(
    String id,
    boolean arrayTask,
    String user,
    String partition,
    Optional<Instant> eligibleAt,
    String reason,
    int cpus,
    Optional<Duration> timeLimit,
    Path workDir) {

  /** Pending reasons under which a job is not waiting for resources but for something else. */
  private static final Set<String> NOT_WAITING_FOR_RESOURCES =
      Set.of("JobHeldUser", "JobHeldAdmin", "Dependency", "DependencyNeverSatisfied", "BeginTime");

  /** Why the rescuer leaves the job alone for now, if it should: held, a dependency, an array. */
  public Optional<String> notRescuable() {
    if (arrayTask) {
      return Optional.of("it is part of a job array (arrays are not rescued)");
    }
    if (reason.startsWith("JobHeld")) {
      return Optional.of("it is held (" + reason + ")");
    }
    if (NOT_WAITING_FOR_RESOURCES.contains(reason) || eligibleAt.isEmpty()) {
      return Optional.of("it is not eligible yet (" + reason + ")");
    }
    return Optional.empty();
  }
}
