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
  final Map<Long, Lease> leases = new HashMap<>();
  int demand;
  boolean waiting;
  long lastSeen;

  Volunteer(
      String id,
      VolunteerChannel channel,
      VolunteerProfile profile,
      Allowance allowance,
      long now) {
    this.id = id;
    this.channel = channel;
    this.profile = profile;
    this.allowance = allowance;
    this.lastSeen = now;
  }
}
