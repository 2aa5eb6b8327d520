package surge.drmaa;

import org.ggf.drmaa.Session;
import surge.slurmcommon.command.JobRecord;

/**
 * Slurm's job states and reasons (read once, as {@link surge.slurmcommon.command.JobState}) as
 * DRMAA's program states. A job ends DONE only when Slurm says COMPLETED (exit status 0); a
 * non-zero exit (Slurm's FAILED), a signal, a cancel, a time-out or a node failure end it FAILED,
 * as Slurm counts it. {@code wait} tells the exit status either way.
 */
final class ProgramStatus {
  private ProgramStatus() {}

  /**
   * @param suspendedBySession whether this session suspended the job (Slurm does not record who
   *     did, and only operators may)
   */
  static int of(JobRecord job, boolean suspendedBySession) {
    return switch (job.jobState()) {
      case QUEUED -> Session.QUEUED_ACTIVE;
      case HELD_BY_USER -> Session.USER_ON_HOLD;
      case HELD_BY_SYSTEM -> Session.SYSTEM_ON_HOLD;
      case RUNNING -> Session.RUNNING;
      case SUSPENDED -> suspendedBySession ? Session.USER_SUSPENDED : Session.SYSTEM_SUSPENDED;
      case STOPPED -> Session.USER_SUSPENDED; // SIGSTOP sent by the job's user: scancel -s STOP
      case COMPLETED -> Session.DONE;
      case FAILED -> Session.FAILED;
      case UNDETERMINED -> Session.UNDETERMINED;
    };
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
