package surge.dispatch;

import java.util.HashMap;
import java.util.Map;
import surge.policies.VolunteerProfile;

/** One connected volunteer as the dispatcher sees it. */
final class Volunteer {
  final String id;
  final VolunteerChannel channel;
  final VolunteerProfile profile;
  final Allowance allowance;

  /** Who it is across sessions (its key or its browser's consent), for verification. */
  final String identity;

  final Standing standing;

  /** When it came and how fast it works, for the dispatch policy. */
  final SessionStats stats;

  /** The job it last took a task of: where its spot checks come from. */
  JobRun lastRun;

  final Map<Long, Lease> leases = new HashMap<>();
  int demand;
  boolean waiting;
  long lastSeen;

  /** When it last went from holding no task to holding one (Dispatcher's silence rule). */
  long busySince;

  Volunteer(
      String id,
      VolunteerChannel channel,
      VolunteerProfile profile,
      Allowance allowance,
      long now,
      Standing standing) {
    this.identity = standing.identity();
    this.standing = standing;
    this.id = id;
    this.channel = channel;
    this.profile = profile;
    this.allowance = allowance;
    this.lastSeen = now;
    this.stats = new SessionStats(now, standing);
  }

  boolean trusted() {
    return standing.trusted();
  }
}
