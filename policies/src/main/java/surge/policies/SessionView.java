package surge.policies;

/**
 * What a {@link DispatchPolicy} may know of one volunteer session at the moment of a decision: what
 * it announced, who vouches for it, how long it has stayed and how fast it has worked. The
 * dispatcher builds one per decision; a simulator builds them from its simulated sessions and
 * clock. Times are milliseconds on the caller's clock, never read by the policy itself.
 *
 * @param id the session, opaque (a policy may key per-session state by it; {@link
 *     DispatchPolicy#departed} says when to drop it)
 * @param profile what it announced in its hello (workers, agent)
 * @param kind a browser visitor, a keyed machine, or a trusted one
 * @param connectedAt when it connected
 * @param now the time of the decision (not before {@code connectedAt})
 * @param held tasks it holds now (queued on it or running)
 * @param tasksDone results it has returned in this session
 * @param msPerTask its measured wall time per task on one worker, for the job at hand; NaN while it
 *     has returned none of that job. The volunteer's report, but never more than the lease's age
 *     the server saw: a volunteer may look faster than it is, which gets it no more than the hold
 *     limit (and the server's allowance) would anyway.
 * @param jobMsPerTask the job's mean wall time per task over every session so far; NaN before the
 *     first result
 */
public record SessionView(
    String id,
    VolunteerProfile profile,
    Kind kind,
    long connectedAt,
    long now,
    int held,
    long tasksDone,
    double msPerTask,
    double jobMsPerTask) {

  /** Who stands behind a session; dwell differs much between them. */
  public enum Kind {
    /** A web visitor, known by its consent token: stays minutes, leaves without notice. */
    BROWSER,
    /** A headless volunteer with a volunteer key. */
    KEYED,
    /** A headless volunteer with a trusted key: the centre's own machine. */
    TRUSTED;

    /** Keyed or trusted: a machine, not a page view. */
    public boolean machine() {
      return this != BROWSER;
    }
  }

  public SessionView {
    if (profile == null || kind == null) {
      throw new IllegalArgumentException("a session view needs a profile and a kind");
    }
    if (now < connectedAt) {
      throw new IllegalArgumentException(
          "now (" + now + ") is before the session connected (" + connectedAt + ")");
    }
    if (held < 0 || tasksDone < 0) {
      throw new IllegalArgumentException(
          "held and tasksDone cannot be negative, got " + held + " and " + tasksDone);
    }
    id = id == null ? "" : id;
    msPerTask = positiveOrNaN(msPerTask);
    jobMsPerTask = positiveOrNaN(jobMsPerTask);
  }

  /** A session of which nothing is known but its profile: what the old grant(profile) saw. */
  public static SessionView of(VolunteerProfile profile, int held) {
    return new SessionView("", profile, Kind.KEYED, 0, 0, held, 0, Double.NaN, Double.NaN);
  }

  /** How long it has stayed so far. */
  public long stayedMillis() {
    return now - connectedAt;
  }

  /** The best guess of one task's wall time on one of its workers: its own, or the job's; NaN. */
  public double expectedMsPerTask() {
    return Double.isNaN(msPerTask) ? jobMsPerTask : msPerTask;
  }

  /** The same session {@code millis} later (for a simulator, and tests). */
  public SessionView later(long millis, int held, long tasksDone, double msPerTask) {
    return new SessionView(
        id, profile, kind, connectedAt, now + millis, held, tasksDone, msPerTask, jobMsPerTask);
  }

  private static double positiveOrNaN(double ms) {
    return ms > 0 && Double.isFinite(ms) ? ms : Double.NaN;
  }
}
