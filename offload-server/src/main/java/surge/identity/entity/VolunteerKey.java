package surge.identity.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;

/**
 * A key an operator gave one of the centre's own machines so it may volunteer without a web page's
 * consent. Only the sha256 of the key is stored. {@code trusted} marks machines whose results need
 * no cross-checking (used by result verification).
 */
@Entity
@Table(
    name = "volunteer_keys",
    indexes = @Index(name = "volunteer_keys_sha256", columnList = "sha256", unique = true))
public class VolunteerKey {
  @Id
  @Column(name = "id", length = 40)
  private String id;

  @Column(name = "sha256", length = 64, nullable = false)
  private String sha256;

  @Column(name = "name", length = 200, nullable = false)
  private String name;

  @Column(name = "trusted", nullable = false)
  private boolean trusted;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "revoked_at")
  private Instant revokedAt;

  protected VolunteerKey() {}

  public VolunteerKey(String id, String sha256, String name, boolean trusted, Instant createdAt) {
    this.id = id;
    this.sha256 = sha256;
    this.name = name;
    this.trusted = trusted;
    this.createdAt = createdAt;
  }

  public boolean revoked() {
    return revokedAt != null;
  }

  public void revoke(Instant at) {
    if (revokedAt == null) {
      revokedAt = at;
    }
  }

  public String id() {
    return id;
  }

  public String sha256() {
    return sha256;
  }

  public String name() {
    return name;
  }

  public boolean trusted() {
    return trusted;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Optional<Instant> revokedAt() {
    return Optional.ofNullable(revokedAt);
  }
}
