package surge.rescue.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;

/**
 * A Slurm job the rescuer moved to the volunteer partition, kept so that a restarted server still
 * knows it: never rescued twice, and handed back to where it came from when it misses its deadline.
 */
@Entity
@Table(name = "rescues")
public class Rescue {
  @Id
  @Column(name = "slurm_job_id", length = 64)
  private String slurmJobId;

  @Column(name = "slurm_user", length = 200, nullable = false)
  private String user;

  @Column(name = "original_partition", length = 200, nullable = false)
  private String originalPartition;

  @Column(name = "target_partition", length = 200, nullable = false)
  private String targetPartition;

  /** Eligible time plus rescue-after: when the job became eligible for rescue. */
  @Column(name = "due_at", nullable = false)
  private Instant dueAt;

  @Column(name = "moved_at", nullable = false)
  private Instant movedAt;

  @Column(name = "reason", length = 2000, nullable = false)
  private String reason;

  @Column(name = "handed_back_at")
  private Instant handedBackAt;

  @Column(name = "hand_back_note", length = 2000)
  private String handBackNote;

  protected Rescue() {}

  public Rescue(
      String slurmJobId,
      String user,
      String originalPartition,
      String targetPartition,
      Instant dueAt,
      Instant movedAt,
      String reason) {
    this.slurmJobId = slurmJobId;
    this.user = user;
    this.originalPartition = originalPartition;
    this.targetPartition = targetPartition;
    this.dueAt = dueAt;
    this.movedAt = movedAt;
    this.reason = reason.length() > 2000 ? reason.substring(0, 2000) : reason;
  }

  /** Records the hand-back (or its failure, in {@code note}); the first one counts. */
  public void handedBack(Instant at, String note) {
    if (handedBackAt == null) {
      handedBackAt = at;
      handBackNote = note.length() > 2000 ? note.substring(0, 2000) : note;
    }
  }

  public String slurmJobId() {
    return slurmJobId;
  }

  public String user() {
    return user;
  }

  public String originalPartition() {
    return originalPartition;
  }

  public String targetPartition() {
    return targetPartition;
  }

  public Instant dueAt() {
    return dueAt;
  }

  public Instant movedAt() {
    return movedAt;
  }

  public String reason() {
    return reason;
  }

  public Optional<Instant> handedBackAt() {
    return Optional.ofNullable(handedBackAt);
  }

  public Optional<String> handBackNote() {
    return Optional.ofNullable(handBackNote);
  }
}
