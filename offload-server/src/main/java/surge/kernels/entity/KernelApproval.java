package surge.kernels.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;

/**
 * An operator's approval of a kernel, by sha256: in force until revoked. Approving a revoked kernel
 * again puts the approval back in force with the new note. Who did what and when is in the audit
 * log too; this row holds the latest state.
 */
@Entity
@Table(name = "kernel_approvals")
public class KernelApproval {
  @Id
  @Column(length = 64)
  private String sha256;

  @Column(nullable = false, length = 1000)
  private String note;

  @Column(name = "approved_by", nullable = false)
  private String approvedBy;

  @Column(name = "approved_at", nullable = false)
  private Instant approvedAt;

  @Column(name = "revoked_by")
  private String revokedBy;

  @Column(name = "revoked_at")
  private Instant revokedAt;

  protected KernelApproval() {}

  public KernelApproval(String sha256, String note, String approvedBy, Instant approvedAt) {
    this.sha256 = sha256;
    approve(note, approvedBy, approvedAt);
  }

  /** Approves (again): the note and approver are replaced, a revocation is lifted. */
  public void approve(String note, String by, Instant at) {
    this.note = note;
    this.approvedBy = by;
    this.approvedAt = at;
    this.revokedBy = null;
    this.revokedAt = null;
  }

  /** Revokes the approval; jobs submitted afterwards with this kernel are refused. */
  public void revoke(String by, Instant at) {
    this.revokedBy = by;
    this.revokedAt = at;
  }

  public boolean inForce() {
    return revokedAt == null;
  }

  public String sha256() {
    return sha256;
  }

  public String note() {
    return note;
  }

  public String approvedBy() {
    return approvedBy;
  }

  public Instant approvedAt() {
    return approvedAt;
  }

  public Optional<String> revokedBy() {
    return Optional.ofNullable(revokedBy);
  }

  public Optional<Instant> revokedAt() {
    return Optional.ofNullable(revokedAt);
  }
}
