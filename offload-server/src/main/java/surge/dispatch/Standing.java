package surge.dispatch;

import java.util.HashSet;
import java.util.Set;
import surge.policies.VolunteerHistory;

/**
 * One volunteer identity's record (its key, or its browser's consent), shared by all its sessions
 * and kept across restarts by the server's store. The dispatcher changes it under its own lock; the
 * store reads it from its writer thread, hence the synchronized methods.
 */
public final class Standing {
  private final String identity;
  private final boolean trusted;
  private long spotPassed;
  private long spotFailed;
  private long agreements;
  private long disagreements;
  private boolean barredEverywhere;
  private final Set<String> barredOwners = new HashSet<>();
  private String caughtFor;

  public Standing(String identity, boolean trusted) {
    this.identity = identity;
    this.trusted = trusted;
  }

  /** A record read back from storage. */
  public Standing(
      String identity,
      boolean trusted,
      long spotPassed,
      long spotFailed,
      long agreements,
      long disagreements,
      boolean barredEverywhere,
      Set<String> barredOwners,
      String caughtFor) {
    this(identity, trusted);
    this.spotPassed = spotPassed;
    this.spotFailed = spotFailed;
    this.agreements = agreements;
    this.disagreements = disagreements;
    this.barredEverywhere = barredEverywhere;
    this.barredOwners.addAll(barredOwners);
    this.caughtFor = caughtFor;
  }

  public String identity() {
    return identity;
  }

  public boolean trusted() {
    return trusted;
  }

  public synchronized VolunteerHistory history() {
    return new VolunteerHistory(trusted, spotPassed, spotFailed, agreements, disagreements);
  }

  public synchronized boolean barredEverywhere() {
    return barredEverywhere;
  }

  public synchronized Set<String> barredOwners() {
    return Set.copyOf(barredOwners);
  }

  public synchronized String caughtFor() {
    return caughtFor;
  }

  /** May it work for {@code owner}'s jobs? */
  synchronized boolean barredFrom(String owner) {
    return barredEverywhere || barredOwners.contains(owner);
  }

  synchronized void spotPassed() {
    spotPassed++;
  }

  synchronized void agreed() {
    agreements++;
  }

  synchronized void disagreed() {
    disagreements++;
  }

  /** Caught with a wrong answer; false if it was barred already (for that owner). */
  synchronized boolean caught(String why, String owner, boolean everywhere) {
    boolean already = barredEverywhere || (!everywhere && barredOwners.contains(owner));
    spotFailed++;
    caughtFor = why;
    if (everywhere) {
      barredEverywhere = true;
    } else {
      barredOwners.add(owner);
    }
    return !already;
  }
}
