package surge.jobs.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An uploaded input file, addressed by its sha256, that jobs split among their tasks. */
@Entity
@Table(name = "inputs")
public class Input {
  @Id
  @Column(name = "sha256", length = 64)
  private String sha256;

  @Column(name = "bytes", nullable = false, length = 1 << 30)
  private byte[] bytes;

  @Column(name = "size", nullable = false)
  private long size;

  @Column(name = "uploaded_at", nullable = false)
  private Instant uploadedAt;

  protected Input() {}

  public Input(String sha256, byte[] bytes, Instant uploadedAt) {
    this.sha256 = sha256;
    this.bytes = bytes;
    this.size = bytes.length;
    this.uploadedAt = uploadedAt;
  }

  public String sha256() {
    return sha256;
  }

  public byte[] bytes() {
    return bytes;
  }

  public long size() {
    return size;
  }
}
