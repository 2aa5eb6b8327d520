package surge.drmaa;

import java.util.Set;
import org.ggf.drmaa.Session;

/**
 * Slurm's job states and reasons as DRMAA's program states. A job ends DONE only when Slurm says
 * COMPLETED (exit status 0); a non-zero exit (Slurm's FAILED), a signal, a cancel, a time-out or a
 * node failure end it FAILED, as Slurm counts it. {@code wait} tells the exit status either way.
 */
final class ProgramStatus {
  private static final Set<String> QUEUED =
      Set.of("PENDING", "REQUEUED", "REQUEUE_FED", "RESIZING");
  private static final Set<String> SYSTEM_HELD =
      Set.of("REQUEUE_HOLD", "RESV_DEL_HOLD", "SPECIAL_EXIT");
  private static final Set<String> RUNNING =
      Set.of("RUNNING", "CONFIGURING", "COMPLETING", "SIGNALING", "STAGE_OUT", "POWER_UP_NODE");
  private static final Set<String> FAILED =
      Set.of(
          "FAILED",
          "CANCELLED",
          "TIMEOUT",
          "NODE_FAIL",
          "PREEMPTED",
          "BOOT_FAIL",
          "DEADLINE",
          "OUT_OF_MEMORY",
          "REVOKED");

  private ProgramStatus() {}

  /**
   * @param suspendedBySession whether this session suspended the job (Slurm does not record who
   *     did, and only operators may)
   */
  static int of(JobRecord job, boolean suspendedBySession) {
    String state = job.state();
    if (state.equals("PENDING")) {
      switch (job.reason()) {
        case "JobHeldUser":
          return Session.USER_ON_HOLD;
        case "JobHeldAdmin":
        case "JobHoldMaxRequeue":
          return Session.SYSTEM_ON_HOLD;
        default:
          return Session.QUEUED_ACTIVE;
      }
    }
    if (QUEUED.contains(state)) {
      return Session.QUEUED_ACTIVE;
    }
    if (SYSTEM_HELD.contains(state)) {
      return Session.SYSTEM_ON_HOLD;
    }
    if (RUNNING.contains(state)) {
      return Session.RUNNING;
    }
    if (state.equals("SUSPENDED")) {
      return suspendedBySession ? Session.USER_SUSPENDED : Session.SYSTEM_SUSPENDED;
    }
    if (state.equals("STOPPED")) {
      return Session.USER_SUSPENDED; // SIGSTOP sent by the job's user through scancel -s STOP
    }
    if (state.equals("COMPLETED")) {
      return Session.DONE;
    }
    if (FAILED.contains(state)) {
      return Session.FAILED;
    }
    return Session.UNDETERMINED;
  }

  static boolean ended(int status) {
    return status == Session.DONE || status == Session.FAILED;
  }

  static boolean ended(JobRecord job) {
    return ended(of(job, false));
  }

  static boolean onHold(int status) {
    return status == Session.USER_ON_HOLD
        || status == Session.SYSTEM_ON_HOLD
        || status == Session.USER_SYSTEM_ON_HOLD;
  }

  static String name(int status) {
    switch (status) {
      case Session.QUEUED_ACTIVE:
        return "QUEUED_ACTIVE";
      case Session.SYSTEM_ON_HOLD:
        return "SYSTEM_ON_HOLD";
      case Session.USER_ON_HOLD:
        return "USER_ON_HOLD";
      case Session.USER_SYSTEM_ON_HOLD:
        return "USER_SYSTEM_ON_HOLD";
      case Session.RUNNING:
        return "RUNNING";
      case Session.SYSTEM_SUSPENDED:
        return "SYSTEM_SUSPENDED";
      case Session.USER_SUSPENDED:
        return "USER_SUSPENDED";
      case Session.USER_SYSTEM_SUSPENDED:
        return "USER_SYSTEM_SUSPENDED";
      case Session.DONE:
        return "DONE";
      case Session.FAILED:
        return "FAILED";
      default:
        return "UNDETERMINED";
    }
  }
}
