package surge.dispatch;

import java.util.LinkedHashMap;
import java.util.Map;
import surge.policies.SessionView;

/**
 * What the dispatcher has measured of one volunteer session, for the dispatch policy's {@link
 * SessionView}: when it came, how many tasks it returned, and how long a task of each job it worked
 * on takes on one of its workers (measured by the server, see {@link #finished}).
 */
final class SessionStats {
  /** Jobs whose speed a session remembers (the latest); a session works on few at once. */
  private static final int JOBS = 8;

  /** Weight of the newest task in the moving average: a few tasks settle it. */
  static final double WEIGHT = 0.3;

  final long connectedAt;
  final SessionView.Kind kind;
  long tasksDone;

  /** It released its tasks as it closed (pagehide, SIGTERM): a clean departure. */
  boolean leaving;

  private final Map<JobRun, Double> msPerTask =
      new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<JobRun, Double> eldest) {
          return size() > JOBS;
        }
      };

  SessionStats(long connectedAt, Standing standing) {
    this.connectedAt = connectedAt;
    this.kind = kindOf(standing);
  }

  /** A browser's identity is its consent; a machine's is its key (Standing's identity). */
  static SessionView.Kind kindOf(Standing s) {
    if (s.trusted()) {
      return SessionView.Kind.TRUSTED;
    }
    return s.identity().startsWith("consent:") ? SessionView.Kind.BROWSER : SessionView.Kind.KEYED;
  }

  /**
   * A result came back {@code ageMillis} after its lease began, saying the kernel ran {@code
   * reportedMillis}. The time counted is the report (the lease's age also counts time the task
   * waited queued on the volunteer), but never more than the age. A liar may look fast: it gets no
   * more than the policy's hold limit and its allowance, which it earns by valid results. A
   * nonsense report counts as the age.
   *
   * @return the milliseconds counted
   */
  double finished(JobRun run, double ageMillis, double reportedMillis) {
    double age = Math.max(1, ageMillis);
    double ms =
        reportedMillis > 0 && Double.isFinite(reportedMillis) ? Math.min(reportedMillis, age) : age;
    tasksDone++;
    Double before = msPerTask.get(run);
    msPerTask.put(run, before == null ? ms : before + WEIGHT * (ms - before));
    return ms;
  }

  /** Its wall time per task of {@code run}; NaN when it returned none. */
  double msPerTask(JobRun run) {
    Double ms = run == null ? null : msPerTask.get(run);
    return ms == null ? Double.NaN : ms;
  }
}
