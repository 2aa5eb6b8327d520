package surge.slurmcommon.command;

import java.util.Set;

/**
 * Slurm's job states and pending reasons, read once for all of Surge. The DRMAA binding maps these
 * to DRMAA's program states, the rescuer decides with them whether a job still runs.
 */
public enum JobState {
  /** Waiting to be scheduled (PENDING for resources, priority, a dependency, REQUEUED ...). */
  QUEUED,
  /** PENDING with {@code Reason=JobHeldUser}: its owner may release it. */
  HELD_BY_USER,
  /** Held by an administrator or by Slurm itself ({@code JobHeldAdmin}, REQUEUE_HOLD ...). */
  HELD_BY_SYSTEM,
  /** Has its nodes (RUNNING, CONFIGURING, COMPLETING, RESIZING, ...). */
  RUNNING,
  /** SUSPENDED by an operator ({@code scontrol suspend}). */
  SUSPENDED,
  /** STOPPED: SIGSTOP sent by its user ({@code scancel -s STOP}). */
  STOPPED,
  /** Ended with exit status 0. */
  COMPLETED,
  /** Ended otherwise: a non-zero exit, a signal, a cancel, a time-out, a node failure. */
  FAILED,
  /** A state this reading does not know. */
  UNDETERMINED;

  private static final Set<String> QUEUED_STATES = Set.of("PENDING", "REQUEUED", "REQUEUE_FED");
  private static final Set<String> SYSTEM_HELD =
      Set.of("REQUEUE_HOLD", "RESV_DEL_HOLD", "SPECIAL_EXIT");
  private static final Set<String> HELD_BY_ADMIN_REASONS =
      Set.of("JobHeldAdmin", "JobHoldMaxRequeue");
  private static final Set<String> RUNNING_STATES =
      Set.of(
          "RUNNING",
          "CONFIGURING",
          "COMPLETING",
          "SIGNALING",
          "STAGE_OUT",
          "POWER_UP_NODE",
          "RESIZING");
  private static final Set<String> FAILED_STATES =
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

  /**
   * @param state Slurm's base state ({@code JobState=CANCELLED}; squeue's "CANCELLED by 0" too)
   * @param reason the pending reason ({@code Reason=JobHeldUser})
   */
  public static JobState of(String state, String reason) {
    int blank = state.indexOf(' ');
    String base = blank < 0 ? state : state.substring(0, blank);
    if (base.equals("PENDING")) {
      if (reason.equals("JobHeldUser")) {
        return HELD_BY_USER;
      }
      if (HELD_BY_ADMIN_REASONS.contains(reason)) {
        return HELD_BY_SYSTEM;
      }
    }
    if (QUEUED_STATES.contains(base)) {
      return QUEUED;
    }
    if (SYSTEM_HELD.contains(base)) {
      return HELD_BY_SYSTEM;
    }
    if (RUNNING_STATES.contains(base)) {
      return RUNNING;
    }
    if (base.equals("SUSPENDED")) {
      return SUSPENDED;
    }
    if (base.equals("STOPPED")) {
      return STOPPED;
    }
    if (base.equals("COMPLETED")) {
      return COMPLETED;
    }
    if (FAILED_STATES.contains(base)) {
      return FAILED;
    }
    return UNDETERMINED;
  }

  public boolean ended() {
    return this == COMPLETED || this == FAILED;
  }

  public boolean held() {
    return this == HELD_BY_USER || this == HELD_BY_SYSTEM;
  }

  /** Has its nodes, running or paused: its batch script may still be alive. */
  public boolean active() {
    return this == RUNNING || this == SUSPENDED || this == STOPPED;
  }
}
