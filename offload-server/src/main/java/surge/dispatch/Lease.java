package surge.dispatch;

/**
 * A task held by a volunteer until {@code expiresAt} (renewed by heartbeats) or {@code limitAt}.
 */
final class Lease {
  final long id;
  final JobRun run;
  final int index;
  final Volunteer volunteer;

  /** When the task's wall-time limit runs out; no heartbeat moves it. */
  final long limitAt;

  /** A spot check: a task whose answer is known, given again to test the volunteer. */
  final boolean spot;

  long expiresAt;

  /**
   * The authors of the checkpoint this lease's task was handed out with (empty: it starts from the
   * beginning); its result is their joint work with this volunteer's (docs/verification.md).
   */
  java.util.List<Standing> resumedFrom = java.util.List.of();

  /** When this lease's last checkpoint was kept (epoch ms), for the rate limit. */
  long lastCheckpointAt = Long.MIN_VALUE / 2;

  Lease(long id, JobRun run, int index, Volunteer volunteer, long expiresAt, long limitAt) {
    this(id, run, index, volunteer, expiresAt, limitAt, false);
  }

  Lease(
      long id,
      JobRun run,
      int index,
      Volunteer volunteer,
      long expiresAt,
      long limitAt,
      boolean spot) {
    this.spot = spot;
    this.id = id;
    this.run = run;
    this.index = index;
    this.volunteer = volunteer;
    this.limitAt = limitAt;
    this.expiresAt = Math.min(expiresAt, limitAt);
  }

  /** A heartbeat: the lease runs for another {@code leaseMillis}, but never past the limit. */
  void renew(long now, long leaseMillis) {
    expiresAt = Math.min(now + leaseMillis, limitAt);
  }
}
