package surge.slurmcommon.command;

import java.util.Locale;

/**
 * The one reading of how a Slurm client command ended, from its exit code and Slurm's own words
 * (captured from Slurm 22.05 in {@code slurm-common/golden/commands}). Every user of Slurm's
 * commands maps these to its own errors: the DRMAA binding to DRMAA's exceptions, the rescuer and
 * the launcher to their messages.
 */
public enum SlurmAnswer {
  /** Exit code 0 and no error on stderr. */
  OK,
  /**
   * Slurm does not know the job: never submitted, aged out after {@code MinJobAge}, or a cancelled
   * pending element of an array that was never split, which Slurm 22.05 drops at once ({@code Job
   * N_1 not found}, on stdout, exit 1).
   */
  UNKNOWN_JOB,
  /** The job has ended ({@code Job has already finished}): nothing left to hold or release. */
  JOB_FINISHED,
  /** The job is no longer pending ({@code Job is no longer pending execution}). */
  NOT_PENDING,
  /** Not allowed to this user. */
  PERMISSION_DENIED,
  /** slurmctld did not answer, or the client has no configuration. */
  UNREACHABLE,
  /** slurmctld is busy: try again later. */
  TRY_LATER,
  /** sbatch refused an option it does not know. */
  INVALID_OPTION,
  /** No such partition. */
  UNKNOWN_PARTITION,
  /** Any other refusal; the message says why. */
  REFUSED;

  /** How {@code output} ended. */
  public static SlurmAnswer of(Output output) {
    String stderr = output.stderr().toLowerCase(Locale.ROOT);
    String all = (output.stdout() + "\n" + output.stderr()).toLowerCase(Locale.ROOT);
    if (output.exitCode() == 0) {
      // scontrol write batch_script of an unknown job exits 0 with its error on stderr.
      return stderr.contains("invalid job id") ? UNKNOWN_JOB : OK;
    }
    if (all.contains("invalid job id") || all.matches("(?s).*\\bjob \\S+ not found.*")) {
      return UNKNOWN_JOB;
    }
    if (all.contains("already finished") || all.contains("already completed")) {
      return JOB_FINISHED;
    }
    if (all.contains("no longer pending")) {
      return NOT_PENDING;
    }
    if (all.contains("access/permission denied")
        || all.contains("access denied")
        || all.contains("permission denied")) {
      return PERMISSION_DENIED;
    }
    if (all.contains("unable to contact slurm controller")
        || all.contains("socket timed out")
        || all.contains("could not establish a configuration source")
        || all.contains("unable to process configuration file")
        || all.contains("connection refused")
        || all.contains("zero bytes were transmitted")
        || all.contains("did not answer within")) {
      return UNREACHABLE;
    }
    if (all.contains("temporarily unable") || all.contains("try again")) {
      return TRY_LATER;
    }
    if (all.contains("unrecognized option") || all.contains("invalid option")) {
      return INVALID_OPTION;
    }
    if (all.contains("invalid partition") || all.matches("(?s).*partition \\S+ not found.*")) {
      return UNKNOWN_PARTITION;
    }
    return REFUSED;
  }
}
