package surge.consent.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;

/**
 * One consent given, for audit: what the token records and when it was revoked. Nothing about the
 * person: no address, no cookie, no user agent.
 */
@Entity
@Table(name = "consents")
public class ConsentRecord {
  @Id
  @Column(name = "id", length = 36)
  private String id;

  @Column(name = "site", length = 200, nullable = false)
  private String site;

  @Column(name = "project", length = 64, nullable = false)
  private String project;

  @Column(name = "revision", nullable = false)
  private int revision;

  @Column(name = "cpu", nullable = false)
  private int cpu;

  @Column(name = "issued_at", nullable = false)
  private Instant issuedAt;

  @Column(name = "expires_at", nullable = false)
  private Instant expiresAt;

  @Column(name = "revoked_at")
  private Instant revokedAt;

  protected ConsentRecord() {}

  public ConsentRecord(
      String id,
      String site,
      String project,
      int revision,
      int cpu,
      Instant issuedAt,
      Instant expiresAt) {
    this.id = id;
    this.site = site;
    this.project = project;
    this.revision = revision;
    this.cpu = cpu;
    this.issuedAt = issuedAt;
    this.expiresAt = expiresAt;
  }

  /** Revokes once; answers whether this call did. */
  public boolean revoke(Instant at) {
    if (revokedAt != null) {
      return false;
    }
    revokedAt = at;
    return true;
  }

  public String id() {
    return id;
  }

  public String site() {
    return site;
  }

  public String project() {
    return project;
  }

  public int revision() {
    return revision;
  }

  public int cpu() {
    return cpu;
  }

  public Instant issuedAt() {
    return issuedAt;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public Optional<Instant> revokedAt() {
    return Optional.ofNullable(revokedAt);
  }
}
