package surge.policies;

import java.time.Duration;

/**
 * Panther's asynchronous mode, the default: a volunteer keeps up to {@code tasksPerWorker} tasks
 * per worker and asks for more as soon as fewer than one per worker are waiting, so the next batch
 * is in flight while the current one runs.
 */
public final class AsyncPrefetchDispatch implements DispatchPolicy {
  private final int tasksPerWorker;
  private final Duration lease;

  public AsyncPrefetchDispatch(int tasksPerWorker, Duration lease) {
    VolunteerProfile.checkDispatchSettings(tasksPerWorker, lease);
    this.tasksPerWorker = tasksPerWorker;
    this.lease = lease;
  }

  /** The default: four tasks per worker, leases of 30 seconds. */
  public static AsyncPrefetchDispatch defaults() {
    return new AsyncPrefetchDispatch(4, Duration.ofSeconds(30));
  }

  @Override
  public int batch(VolunteerProfile volunteer) {
    return tasksPerWorker * volunteer.workers();
  }

  @Override
  public int prefetchBelow(VolunteerProfile volunteer) {
    return volunteer.workers();
  }

  @Override
  public int grant(VolunteerProfile volunteer, int requested, int held) {
    int room = DispatchPolicy.holdLimit(this, volunteer) - held;
    return Math.max(0, Math.min(requested, room));
  }

  @Override
  public Duration lease(VolunteerProfile volunteer) {
    return lease;
  }

  @Override
  public String name() {
    return "async";
  }

  @Override
  public String toString() {
    return "async(" + tasksPerWorker + " per worker, lease " + lease + ")";
  }
}
