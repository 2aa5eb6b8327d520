package surge.audit.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One event of the audit log: who did what to which thing, when, from where, with which kind of
 * credential. Append-only: it has no setter, and the only delete is the retention purge. Texts are
 * cleaned and bounded by {@code surge.audit.control.AuditText} before they get here; the column
 * lengths below are the same bounds.
 */
@Entity
@Table(
    name = "audit_log",
    indexes = {
      @Index(name = "audit_log_at", columnList = "at"),
      @Index(name = "audit_log_actor", columnList = "actor")
    })
public class AuditEntry {
  public static final int ACTOR = 100;
  public static final int ROLE = 10;
  public static final int VIA = 20;
  public static final int ADDRESS = 64;
  public static final int ACTION = 40;
  public static final int TARGET = 200;
  public static final int DETAIL = 1000;

  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "audit_log_seq")
  @SequenceGenerator(name = "audit_log_seq", sequenceName = "audit_log_seq", allocationSize = 20)
  private long id;

  @Column(name = "at", nullable = false)
  private Instant at;

  @Column(name = "actor", length = ACTOR, nullable = false)
  private String actor;

  @Column(name = "role", length = ROLE, nullable = false)
  private String role;

  @Column(name = "via", length = VIA, nullable = false)
  private String via;

  @Column(name = "address", length = ADDRESS, nullable = false)
  private String address;

  @Column(name = "action", length = ACTION, nullable = false)
  private String action;

  @Column(name = "target", length = TARGET, nullable = false)
  private String target;

  @Column(name = "detail", length = DETAIL, nullable = false)
  private String detail;

  protected AuditEntry() {}

  public AuditEntry(
      Instant at,
      String actor,
      String role,
      String via,
      String address,
      String action,
      String target,
      String detail) {
    this.at = at;
    this.actor = actor;
    this.role = role;
    this.via = via;
    this.address = address;
    this.action = action;
    this.target = target;
    this.detail = detail;
  }

  public long id() {
    return id;
  }

  public Instant at() {
    return at;
  }

  public String actor() {
    return actor;
  }

  public String role() {
    return role;
  }

  public String via() {
    return via;
  }

  public String address() {
    return address;
  }

  public String action() {
    return action;
  }

  public String target() {
    return target;
  }

  public String detail() {
    return detail;
  }
}
