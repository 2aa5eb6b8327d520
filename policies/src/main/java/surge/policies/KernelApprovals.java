package surge.policies;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** What a kernel policy may read of the operators' approvals: the ones in force, by sha256. */
@FunctionalInterface
public interface KernelApprovals {

  /** The approval in force for {@code sha256}; empty when none was given or it was revoked. */
  Optional<Approval> approval(String sha256);

  /** No kernel approved. */
  static KernelApprovals none() {
    return sha256 -> Optional.empty();
  }

  /**
   * An operator's approval of one kernel.
   *
   * @param sha256 the kernel's SHA-256
   * @param note why it was approved (what the kernel is, who asked)
   * @param approvedBy the operator's user name
   * @param approvedAt when
   */
  record Approval(String sha256, String note, String approvedBy, Instant approvedAt) {
    public Approval {
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(note, "note");
      Objects.requireNonNull(approvedBy, "approvedBy");
      Objects.requireNonNull(approvedAt, "approvedAt");
    }
  }
}
