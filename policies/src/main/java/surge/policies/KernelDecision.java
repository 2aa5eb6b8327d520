package surge.policies;

import java.util.Objects;

/**
 * A kernel policy's answer, always with a sentence: a refusal's says how to get the kernel
 * approved, and the server sends it to the submitter with a 403.
 *
 * @param reason why; {@link Reason#allowed()} tells whether the kernel may run
 * @param detail one sentence naming the kernel and, for a refusal, what to do
 */
public record KernelDecision(Reason reason, String detail) {

  /** Why a kernel may or may not run. */
  public enum Reason {
    /** The kernel may run. */
    ALLOWED(true),
    /** No operator has approved the kernel (or the approval was revoked). */
    NOT_APPROVED(false),
    /** The submitter may not submit kernels, or not this one. */
    USER_REFUSED(false),
    /** The request's sha256 is not 64 lower-case hex digits. */
    MALFORMED(false),
    /** Any other refusal of a policy written elsewhere. */
    OTHER(false);

    private final boolean allowed;

    Reason(boolean allowed) {
      this.allowed = allowed;
    }

    public boolean allowed() {
      return allowed;
    }
  }

  public KernelDecision {
    Objects.requireNonNull(reason, "reason");
    if (detail == null || detail.isBlank()) {
      throw new IllegalArgumentException("a kernel decision needs a detail that says why");
    }
  }

  public boolean allowed() {
    return reason.allowed();
  }

  public static KernelDecision allow(String detail) {
    return new KernelDecision(Reason.ALLOWED, detail);
  }

  public static KernelDecision refuse(Reason reason, String detail) {
    if (reason.allowed()) {
      throw new IllegalArgumentException(reason + " is not a refusal");
    }
    return new KernelDecision(reason, detail);
  }

  @Override
  public String toString() {
    return (allowed() ? "allow: " : "refuse (" + reason + "): ") + detail;
  }
}
