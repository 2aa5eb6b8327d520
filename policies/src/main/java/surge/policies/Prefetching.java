package surge.policies;

import java.time.Duration;

/**
 * The prefetching of {@link AsyncPrefetchDispatch} (batch, refill point, hold limit, lease), as the
 * ground that policies refining it by session stand on; they override the session-aware parts of
 * {@link DispatchPolicy} ({@code grant(SessionView, int)}, {@code choose}, {@code duplicate}).
 */
public abstract class Prefetching implements DispatchPolicy {
  /** The policy whose counts this one starts from. */
  protected final AsyncPrefetchDispatch async;

  protected Prefetching(int tasksPerWorker, Duration lease) {
    this.async = new AsyncPrefetchDispatch(tasksPerWorker, lease);
  }

  @Override
  public int batch(VolunteerProfile volunteer) {
    return async.batch(volunteer);
  }

  @Override
  public int prefetchBelow(VolunteerProfile volunteer) {
    return async.prefetchBelow(volunteer);
  }

  @Override
  public int grant(VolunteerProfile volunteer, int requested, int held) {
    return async.grant(volunteer, requested, held);
  }

  @Override
  public Duration lease(VolunteerProfile volunteer) {
    return async.lease(volunteer);
  }
}
