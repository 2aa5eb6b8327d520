package surge.jobs.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * That a user uploaded an input. Inputs are stored once per content, so several users may share
 * one; each upload proves its user has those bytes and may use them in jobs, and nobody else may.
 */
@Entity
// The quotas sum a user's input bytes at every new upload.
@Table(
    name = "input_uploads",
    indexes = @Index(name = "input_uploads_owner", columnList = "owner_name"))
public class InputUpload {
  /** {@code sha256 + "/" + owner}. */
  @Id
  @Column(name = "id", length = 140)
  private String id;

  @Column(name = "sha256", length = 64, nullable = false)
  private String sha256;

  @Column(name = "owner_name", length = 64, nullable = false)
  private String owner;

  @Column(name = "uploaded_at", nullable = false)
  private Instant uploadedAt;

  protected InputUpload() {}

  public InputUpload(String sha256, String owner, Instant uploadedAt) {
    this.id = key(sha256, owner);
    this.sha256 = sha256;
    this.owner = owner;
    this.uploadedAt = uploadedAt;
  }

  public static String key(String sha256, String owner) {
    return sha256 + "/" + owner;
  }
}
