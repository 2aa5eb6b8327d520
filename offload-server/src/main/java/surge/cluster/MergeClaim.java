package surge.cluster;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * Which instance merges a job: none until all its tasks are done, then the one whose conditional
 * update won. Written with the job, deleted when the merge commits or the job ends; a dead owner's
 * claim is cleared with its lease. Written only by {@link Claims} in SQL.
 */
@Entity
@Table(
    name = "merge_claims",
    indexes = @Index(name = "merge_claims_owner", columnList = "owner_epoch"))
public class MergeClaim {
  @Id
  @Column(name = "job_id")
  private long jobId;

  @Column(name = "owner", length = 200)
  private String owner;

  @Column(name = "owner_epoch")
  private Long ownerEpoch;

  @Column(name = "claimed_at")
  private Instant claimedAt;

  protected MergeClaim() {}

  public long jobId() {
    return jobId;
  }
}
