package surge.policies;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A pending Slurm job the rescuer might move to the volunteer partition: what Slurm says of it and
 * what the server read from its {@code #OFFLOAD} lines.
 *
 * @param slurmJobId Slurm's JobId, e.g. {@code 4711}
 * @param user the job's owner (Slurm's UserName)
 * @param partition the partition it pends in
 * @param eligibleAt when Slurm made it eligible to start (Slurm's EligibleTime)
 * @param rescueAfter {@code #OFFLOAD --rescue-after}; empty: the job did not opt in
 * @param kernel the file name given to {@code --kernel} (no directories), if the server read one
 * @param kernelSha256 the kernel's SHA-256 in hex, when the server could read the file
 * @param tasks {@code --tasks}, if given as a number
 * @param deadline {@code --deadline} as a duration, if given as one
 * @param cpus the CPUs the job asks Slurm for
 * @param timeLimit its Slurm time limit; empty when unlimited
 */
public record RescueCandidate(
    String slurmJobId,
    String user,
    String partition,
    Instant eligibleAt,
    Optional<Duration> rescueAfter,
    Optional<String> kernel,
    Optional<String> kernelSha256,
    OptionalInt tasks,
    Optional<Duration> deadline,
    int cpus,
    Optional<Duration> timeLimit) {

  public RescueCandidate {
    Objects.requireNonNull(slurmJobId, "slurmJobId");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(eligibleAt, "eligibleAt");
    Objects.requireNonNull(rescueAfter, "rescueAfter");
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(kernelSha256, "kernelSha256");
    Objects.requireNonNull(tasks, "tasks");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(timeLimit, "timeLimit");
  }

  /** When the job may be rescued at the earliest: eligible time plus rescue-after. */
  public Optional<Instant> dueAt() {
    return rescueAfter.map(eligibleAt::plus);
  }
}
