package surge.jobs.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A job's merged result. */
@Entity
@Table(name = "job_results")
public class JobResult {
  @Id
  @Column(name = "job_id")
  private long jobId;

  @Column(name = "bytes", nullable = false, length = 1 << 30)
  private byte[] bytes;

  protected JobResult() {}

  public JobResult(long jobId, byte[] bytes) {
    this.jobId = jobId;
    this.bytes = bytes;
  }

  public byte[] bytes() {
    return bytes;
  }
}
