package surge.policies;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * Speed-only dispatch ({@code speed}), to tell the effect of speed from that of dwell: prefetching
 * as {@link AsyncPrefetchDispatch}, but a session holds about {@code horizon} of work by its
 * measured speed (at least one task per worker, at most what async gives), and when nothing is
 * queued an idle session gets a copy of a task that is overdue on its holder (speculative execution
 * of stragglers, as MapReduce does): held over twice its expected time if the idle session is no
 * slower, over four times whatever its speed. It ignores how long sessions have stayed and what
 * kind they are.
 */
public final class SpeedAwareDispatch extends Prefetching {
  private final Duration horizon;

  public SpeedAwareDispatch(int tasksPerWorker, Duration lease, Duration horizon) {
    super(tasksPerWorker, lease);
    if (horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException("horizon must be positive, got " + horizon);
    }
    this.horizon = horizon;
  }

  /** Ten seconds of work per worker. */
  public SpeedAwareDispatch(int tasksPerWorker, Duration lease) {
    this(tasksPerWorker, lease, Duration.ofSeconds(10));
  }

  @Override
  public String name() {
    return "speed";
  }

  @Override
  public int grant(SessionView s, int requested) {
    int room = async.grant(s.profile(), requested, s.held());
    int workers = s.profile().workers();
    double ms = s.expectedMsPerTask();
    int target =
        Double.isNaN(ms)
            ? workers
            : (int)
                Math.max(
                    workers,
                    Math.min(
                        DispatchPolicy.holdLimit(this, s.profile()),
                        Math.floor(workers * horizon.toMillis() / ms)));
    int floor = s.held() < workers ? 1 : 0;
    return Math.max(0, Math.min(room, Math.max(floor, target - s.held())));
  }

  @Override
  public OptionalInt duplicate(SessionView taker, List<HeldTask> held) {
    if (taker.held() >= taker.profile().workers()) {
      return OptionalInt.empty();
    }
    double mine = taker.expectedMsPerTask();
    for (int i = 0; i < held.size(); i++) {
      HeldTask h = held.get(i);
      double theirs = h.task().remainingMillis(h.holder().msPerTask());
      if (h.copies() > 1 || Double.isNaN(theirs)) {
        continue;
      }
      // Overdue: a copy on a session no slower. Far overdue (frozen, throttled, gone without a
      // word): a copy on whoever is idle, since the holder's speed no longer says anything.
      boolean overdue = h.heldMillis() > 2 * theirs + 1000;
      boolean farOverdue = h.heldMillis() > 4 * theirs + 2000;
      if (farOverdue || (overdue && !(h.task().remainingMillis(mine) > theirs))) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  @Override
  public String toString() {
    return "speed(" + async + ", horizon " + horizon + ")";
  }
}
