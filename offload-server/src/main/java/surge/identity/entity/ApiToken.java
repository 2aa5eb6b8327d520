package surge.identity.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;

/**
 * An API token as stored: only the sha256 of the secret, never the secret itself, so a copy of the
 * database does not hold anyone's credential. Revoked or expired tokens stay listed.
 */
@Entity
@Table(
    name = "api_tokens",
    indexes = @Index(name = "api_tokens_sha256", columnList = "sha256", unique = true))
public class ApiToken {
  @Id
  @Column(name = "id", length = 40)
  private String id;

  @Column(name = "sha256", length = 64, nullable = false)
  private String sha256;

  @Column(name = "user_name", length = 200, nullable = false)
  private String user;

  /** {@code user} or {@code operator} ({@link surge.identity.control.Caller.Role#wire()}). */
  @Column(name = "role", length = 20, nullable = false)
  private String role;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "expires_at")
  private Instant expiresAt;

  @Column(name = "revoked_at")
  private Instant revokedAt;

  @Column(name = "created_by", length = 200, nullable = false)
  private String createdBy;

  protected ApiToken() {}

  public ApiToken(
      String id,
      String sha256,
      String user,
      String role,
      Instant createdAt,
      Instant expiresAt,
      String createdBy) {
    this.id = id;
    this.sha256 = sha256;
    this.user = user;
    this.role = role;
    this.createdAt = createdAt;
    this.expiresAt = expiresAt;
    this.createdBy = createdBy;
  }

  /** Valid at {@code now}: not revoked and not expired. */
  public boolean validAt(Instant now) {
    return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
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

  public String user() {
    return user;
  }

  public String role() {
    return role;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  public Optional<Instant> revokedAt() {
    return Optional.ofNullable(revokedAt);
  }

  public String createdBy() {
    return createdBy;
  }
}
