package surge.policies;

import java.util.Objects;

/**
 * A rescue policy's answer, always with a reason: the rescuer logs it once per job.
 *
 * @param reason why; {@link Reason#rescue()} tells whether the job moves
 * @param detail one sentence for the log, naming the setting or limit involved
 */
public record RescueDecision(Reason reason, String detail) {

  /** Why a job is or is not rescued. */
  public enum Reason {
    /** Opted in, due, and allowed: the job moves. */
    ALLOWED(true),
    /** No {@code #OFFLOAD --rescue-after} line. */
    NOT_OPTED_IN(false),
    /** Eligible time plus rescue-after has not come yet. */
    NOT_DUE(false),
    /** The user is not among the allowed users, or is denied. */
    USER_REFUSED(false),
    /** More tasks than the policy allows, or a task count the server could not read. */
    TOO_MANY_TASKS(false),
    /** More CPUs than the policy allows. */
    TOO_MANY_CPUS(false),
    /** A kernel the policy does not allow, or one it could not identify. */
    KERNEL_REFUSED(false),
    /** Any other refusal of a policy written elsewhere. */
    OTHER(false);

    private final boolean rescue;

    Reason(boolean rescue) {
      this.rescue = rescue;
    }

    public boolean rescue() {
      return rescue;
    }
  }

  public RescueDecision {
    Objects.requireNonNull(reason, "reason");
    if (detail == null || detail.isBlank()) {
      throw new IllegalArgumentException("a rescue decision needs a detail that says why");
    }
  }

  public boolean rescue() {
    return reason.rescue();
  }

  public static RescueDecision allow(String detail) {
    return new RescueDecision(Reason.ALLOWED, detail);
  }

  public static RescueDecision refuse(Reason reason, String detail) {
    if (reason.rescue()) {
      throw new IllegalArgumentException(reason + " is not a refusal");
    }
    return new RescueDecision(reason, detail);
  }

  @Override
  public String toString() {
    return (rescue() ? "rescue: " : "refuse (" + reason + "): ") + detail;
  }
}
