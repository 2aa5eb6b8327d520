package surge.consent.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.LocalDate;

/** How many visitors declined, per site, project, revision and day: a count, never a person. */
@Entity
@Table(name = "consent_declines")
public class DeclineCount {
  /** site, project, revision and day joined by newlines: one row per combination. */
  @Id
  @Column(name = "id", length = 300)
  private String id;

  @Column(name = "site", length = 200, nullable = false)
  private String site;

  @Column(name = "project", length = 64, nullable = false)
  private String project;

  @Column(name = "revision", nullable = false)
  private int revision;

  @Column(name = "decline_day", nullable = false)
  private LocalDate day;

  @Column(name = "declines", nullable = false)
  private long declines;

  protected DeclineCount() {}

  public DeclineCount(String site, String project, int revision, LocalDate day) {
    this.id = key(site, project, revision, day);
    this.site = site;
    this.project = project;
    this.revision = revision;
    this.day = day;
  }

  public static String key(String site, String project, int revision, LocalDate day) {
    return site + "\n" + project + "\n" + revision + "\n" + day;
  }

  public void add() {
    declines++;
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

  public LocalDate day() {
    return day;
  }

  public long count() {
    return declines;
  }
}
