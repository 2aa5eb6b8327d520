package surge.policies;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * The built-in rescue policy, configured by the admin: which users may be rescued (or are never),
 * how large a job may be (tasks, CPUs), and which kernels (by file name or SHA-256). An empty set
 * or a limit of 0 means "no restriction". Denied users win over allowed ones.
 */
public final class RescueRules implements RescuePolicy {

  private final Set<String> allowedUsers;
  private final Set<String> deniedUsers;
  private final int maxTasks;
  private final int maxCpus;
  private final Set<String> allowedKernels;

  /**
   * @param allowedUsers users who may be rescued; empty: everyone not denied
   * @param deniedUsers users who are never rescued
   * @param maxTasks most {@code --tasks} of a rescued job; 0: no limit
   * @param maxCpus most Slurm CPUs of a rescued job; 0: no limit
   * @param allowedKernels kernel file names ({@code montecarlo.wasm}) or SHA-256 hashes (64 lower
   *     case hex digits); empty: any kernel
   */
  public RescueRules(
      Set<String> allowedUsers,
      Set<String> deniedUsers,
      int maxTasks,
      int maxCpus,
      Set<String> allowedKernels) {
    if (maxTasks < 0 || maxCpus < 0) {
      throw new IllegalArgumentException(
          "maxTasks and maxCpus must be 0 (no limit) or positive, got "
              + maxTasks
              + ", "
              + maxCpus);
    }
    this.allowedUsers = Set.copyOf(allowedUsers);
    this.deniedUsers = Set.copyOf(deniedUsers);
    this.maxTasks = maxTasks;
    this.maxCpus = maxCpus;
    this.allowedKernels =
        Set.copyOf(allowedKernels.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList());
  }

  /** No restriction beyond opting in and waiting for rescue-after. */
  public static RescueRules allowAll() {
    return new RescueRules(Set.of(), Set.of(), 0, 0, Set.of());
  }

  @Override
  public RescueDecision decide(RescueCandidate c, Instant now) {
    var basic = RescuePolicy.preconditions(c, now);
    if (basic.isPresent()) {
      return basic.get();
    }
    String job = "job " + c.slurmJobId() + " of " + c.user();
    if (deniedUsers.contains(c.user())) {
      return RescueDecision.refuse(
          RescueDecision.Reason.USER_REFUSED, job + ": user " + c.user() + " is denied rescue");
    }
    if (!allowedUsers.isEmpty() && !allowedUsers.contains(c.user())) {
      return RescueDecision.refuse(
          RescueDecision.Reason.USER_REFUSED,
          job + ": user " + c.user() + " is not among the users allowed rescue");
    }
    if (maxCpus > 0 && c.cpus() > maxCpus) {
      return RescueDecision.refuse(
          RescueDecision.Reason.TOO_MANY_CPUS,
          job + " asks for " + c.cpus() + " CPUs, more than the limit of " + maxCpus);
    }
    if (maxTasks > 0) {
      if (c.tasks().isEmpty()) {
        return RescueDecision.refuse(
            RescueDecision.Reason.TOO_MANY_TASKS,
            job + ": its --tasks could not be read, and tasks are limited to " + maxTasks);
      }
      if (c.tasks().getAsInt() > maxTasks) {
        return RescueDecision.refuse(
            RescueDecision.Reason.TOO_MANY_TASKS,
            job + " has " + c.tasks().getAsInt() + " tasks, more than the limit of " + maxTasks);
      }
    }
    if (!allowedKernels.isEmpty()) {
      boolean byName = c.kernel().filter(allowedKernels::contains).isPresent();
      boolean byHash = c.kernelSha256().filter(allowedKernels::contains).isPresent();
      if (!byName && !byHash) {
        return RescueDecision.refuse(
            RescueDecision.Reason.KERNEL_REFUSED,
            job
                + ": kernel "
                + c.kernel().orElse("(not readable from its #OFFLOAD lines)")
                + c.kernelSha256().map(h -> " (sha256 " + h + ")").orElse("")
                + " is not among the allowed kernels");
      }
    }
    return RescueDecision.allow(
        job
            + " opted in with --rescue-after "
            + c.rescueAfter().orElseThrow()
            + " and is still pending in "
            + c.partition()
            + " since it became eligible at "
            + c.eligibleAt());
  }

  @Override
  public String toString() {
    return "rescue rules(users "
        + (allowedUsers.isEmpty() ? "any" : allowedUsers)
        + (deniedUsers.isEmpty() ? "" : " except " + deniedUsers)
        + ", max tasks "
        + (maxTasks == 0 ? "any" : maxTasks)
        + ", max CPUs "
        + (maxCpus == 0 ? "any" : maxCpus)
        + ", kernels "
        + (allowedKernels.isEmpty() ? "any" : allowedKernels)
        + ")";
  }
}
