package surge.verification.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * A volunteer identity's verification record: a headless volunteer's key ({@code key:k-12}) or a
 * browser's consent ({@code consent:...}); what it has been checked against and whether it is
 * barred.
 */
@Entity
@Table(name = "volunteer_standings")
public class VolunteerStanding {
  @Id
  @Column(name = "identity", length = 100)
  private String identity;

  @Column(name = "trusted", nullable = false)
  private boolean trusted;

  @Column(name = "spot_passed", nullable = false)
  private long spotPassed;

  @Column(name = "spot_failed", nullable = false)
  private long spotFailed;

  @Column(name = "agreements", nullable = false)
  private long agreements;

  @Column(name = "disagreements", nullable = false)
  private long disagreements;

  @Column(name = "barred_everywhere", nullable = false)
  private boolean barredEverywhere;

  /** Owners whose jobs it may not work on, comma-separated (user names hold no commas). */
  @Column(name = "barred_owners", length = 4000)
  private String barredOwners;

  @Column(name = "caught_for", length = 500)
  private String caughtFor;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  protected VolunteerStanding() {}

  public VolunteerStanding(String identity, boolean trusted, Instant at) {
    this.identity = identity;
    this.trusted = trusted;
    this.updatedAt = at;
  }

  /** Copies what the dispatcher's standing holds now. */
  public void update(
      boolean trusted,
      long spotPassed,
      long spotFailed,
      long agreements,
      long disagreements,
      boolean barredEverywhere,
      Set<String> barredOwners,
      String caughtFor,
      Instant at) {
    this.trusted = trusted;
    this.spotPassed = spotPassed;
    this.spotFailed = spotFailed;
    this.agreements = agreements;
    this.disagreements = disagreements;
    this.barredEverywhere = barredEverywhere;
    this.barredOwners =
        barredOwners.isEmpty() ? null : String.join(",", new TreeSet<>(barredOwners));
    this.caughtFor =
        caughtFor == null || caughtFor.length() <= 500 ? caughtFor : caughtFor.substring(0, 500);
    this.updatedAt = at;
  }

  /** The record as a verification policy reads it. */
  public surge.policies.VolunteerHistory history() {
    return new surge.policies.VolunteerHistory(
        trusted, spotPassed, spotFailed, agreements, disagreements);
  }

  public String identity() {
    return identity;
  }

  public boolean trusted() {
    return trusted;
  }

  public long spotPassed() {
    return spotPassed;
  }

  public long spotFailed() {
    return spotFailed;
  }

  public long agreements() {
    return agreements;
  }

  public long disagreements() {
    return disagreements;
  }

  public boolean barredEverywhere() {
    return barredEverywhere;
  }

  public Set<String> barredOwners() {
    return barredOwners == null ? Set.of() : Set.copyOf(Arrays.asList(barredOwners.split(",")));
  }

  public String caughtFor() {
    return caughtFor;
  }

  public Instant updatedAt() {
    return updatedAt;
  }
}
