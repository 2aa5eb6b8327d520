package surge.policies;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * Dwell-aware dispatch ({@code dwell}): prefetching as {@link AsyncPrefetchDispatch}, but a session
 * holds only as many tasks as it will likely finish before it leaves, short-lived sessions get the
 * tasks with the least work left, and a job's tail held by sessions likely to leave is copied onto
 * sessions likely to stay.
 *
 * <ul>
 *   <li><b>Sizing.</b> From the Weibull dwell of departed sessions of its kind (browsers and
 *       machines apart), the time {@code t} the session stays longer with probability {@code keep}
 *       given how long it has stayed; it may hold {@code workers × t / msPerTask} tasks, at least
 *       one per worker and at most what async would give. Until its speed (or its job's) is known
 *       it holds one per worker.
 *   <li><b>Choice.</b> A session unlikely to finish a whole task takes, among the first {@value
 *       #CANDIDATES} queued, the one with the least work left (one resuming from a checkpoint);
 *       others take the head.
 *   <li><b>Tail.</b> When nothing is queued, an idle session that will likely stay gets a copy of
 *       the held task most at risk: the holder is likely to leave before finishing it (by the dwell
 *       fit, or it is long overdue), and the taker is likelier to finish it. At most one copy.
 * </ul>
 *
 * <p>Stateful (it learns dwell from {@link #departed}); one instance per dispatcher.
 */
public final class DwellAwareDispatch extends Prefetching {
  static final int CANDIDATES = 8;

  /** Prior scale of a browser visitor's dwell: "most stay a minute or two". */
  public static final Duration BROWSER_PRIOR_SCALE = Duration.ofSeconds(90);

  /** Prior scale of a keyed machine's dwell: it runs until its owner stops it. */
  public static final Duration MACHINE_PRIOR_SCALE = Duration.ofMinutes(30);

  private final WeibullDwell browsers;
  private final WeibullDwell machines;
  private final double keep;
  private final double duplicateAbove;

  /**
   * @param keep the probability with which a session should still be there when it finishes all it
   *     holds (0.5: its median remaining stay)
   * @param duplicateAbove copy a held task when the holder leaves before finishing it with at least
   *     this probability
   */
  public DwellAwareDispatch(
      int tasksPerWorker,
      Duration lease,
      WeibullDwell browsers,
      WeibullDwell machines,
      double keep,
      double duplicateAbove) {
    super(tasksPerWorker, lease);
    if (!(keep > 0 && keep < 1)) {
      throw new IllegalArgumentException("keep must be strictly between 0 and 1, got " + keep);
    }
    if (!(duplicateAbove > 0 && duplicateAbove < 1)) {
      throw new IllegalArgumentException(
          "duplicateAbove must be strictly between 0 and 1, got " + duplicateAbove);
    }
    this.browsers = browsers;
    this.machines = machines;
    this.keep = keep;
    this.duplicateAbove = duplicateAbove;
  }

  /** Learning dwell from departures, with the default priors, {@code keep} 0.5, copies at 0.3. */
  public DwellAwareDispatch(int tasksPerWorker, Duration lease) {
    this(
        tasksPerWorker,
        lease,
        WeibullDwell.learning(BROWSER_PRIOR_SCALE.toMillis()),
        WeibullDwell.learning(MACHINE_PRIOR_SCALE.toMillis()),
        0.5,
        0.3);
  }

  @Override
  public String name() {
    return "dwell";
  }

  /** The dwell fit for sessions of this kind. */
  public WeibullDwell dwell(SessionView.Kind kind) {
    return kind.machine() ? machines : browsers;
  }

  /** How many tasks the session should hold, all told. */
  int target(SessionView s) {
    int workers = s.profile().workers();
    int limit = DispatchPolicy.holdLimit(this, s.profile());
    double ms = s.expectedMsPerTask();
    if (Double.isNaN(ms)) {
      return workers; // its first tasks measure it
    }
    double stays = dwell(s.kind()).remaining(s.stayedMillis(), keep);
    double fits = Math.floor(workers * stays / ms);
    return (int) Math.max(workers, Math.min(limit, fits));
  }

  @Override
  public int grant(SessionView s, int requested) {
    int room = async.grant(s.profile(), requested, s.held());
    int want = target(s) - s.held();
    int floor = s.held() < s.profile().workers() ? 1 : 0;
    return Math.max(0, Math.min(room, Math.max(floor, want)));
  }

  @Override
  public int candidates() {
    return CANDIDATES;
  }

  @Override
  public int choose(SessionView s, List<TaskView> candidates) {
    if (finishes(s, candidates.get(0)) >= keep) {
      return 0;
    }
    int best = 0;
    for (int i = 1; i < candidates.size(); i++) {
      if (candidates.get(i).remainingFraction() < candidates.get(best).remainingFraction()) {
        best = i;
      }
    }
    return best;
  }

  /** The probability that {@code s} stays until it has finished {@code t}; 1 when unknown. */
  private double finishes(SessionView s, TaskView t) {
    double ms = t.remainingMillis(s.msPerTask());
    if (Double.isNaN(ms)) {
      return 1;
    }
    return dwell(s.kind()).staysFor(s.stayedMillis(), ms);
  }

  @Override
  public OptionalInt duplicate(SessionView taker, List<HeldTask> held) {
    if (taker.held() >= taker.profile().workers()) {
      return OptionalInt.empty(); // a copy only for an idle worker
    }
    int best = -1;
    double worst = duplicateAbove;
    for (int i = 0; i < held.size(); i++) {
      HeldTask h = held.get(i);
      if (h.copies() > 1) {
        continue;
      }
      double risk = risk(h);
      if (risk >= worst && finishes(taker, h.task()) > 1 - risk) {
        worst = risk;
        best = i;
      }
    }
    return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
  }

  /** The probability that the holder does not finish {@code h}. */
  private double risk(HeldTask h) {
    SessionView holder = h.holder();
    double whole = h.task().remainingMillis(holder.msPerTask());
    if (Double.isNaN(whole)) {
      return 0;
    }
    if (h.heldMillis() > 3 * whole + 1000) {
      return 1; // long overdue: stalled, throttled, or gone without a word
    }
    // Tasks queued on it before this one (at most the lease's worth) delay it further.
    double ahead = Math.max(1, Math.min(2, (double) holder.held() / holder.profile().workers()));
    double left = Math.max(0, whole * ahead - h.heldMillis());
    return 1 - dwell(holder.kind()).staysFor(holder.stayedMillis(), left);
  }

  @Override
  public void departed(SessionView session, boolean clean) {
    dwell(session.kind()).observe(session.stayedMillis());
  }

  @Override
  public String toString() {
    return "dwell(" + async + ", browsers " + browsers + ", machines " + machines + ")";
  }
}
