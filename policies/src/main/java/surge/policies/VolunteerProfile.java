package surge.policies;

/**
 * What a policy may know about a volunteer: what it announced in its {@code hello}.
 *
 * @param workers how many tasks it runs at once (at least 1)
 * @param agent its self-description, e.g. {@code surge-volunteer/0.1 node/20}
 */
public record VolunteerProfile(int workers, String agent) {
  public VolunteerProfile {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    agent = agent == null ? "" : agent;
  }
}
