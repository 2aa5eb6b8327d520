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

  /** The checks every per-worker dispatch policy makes of its settings. */
  static void checkDispatchSettings(int tasksPerWorker, java.time.Duration lease) {
    if (tasksPerWorker < 1) {
      throw new IllegalArgumentException(
          "tasksPerWorker must be at least 1, got " + tasksPerWorker);
    }
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive, got " + lease);
    }
  }
}
