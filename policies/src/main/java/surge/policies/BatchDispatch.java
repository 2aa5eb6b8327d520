package surge.policies;

import java.time.Duration;

/**
 * Panther's batch mode: a volunteer asks for {@code tasksPerWorker} tasks per worker only when it
 * has run out. Fewest messages, but each worker waits a round trip between batches.
 */
public final class BatchDispatch implements DispatchPolicy {
  private final int tasksPerWorker;
  private final Duration lease;

  public BatchDispatch(int tasksPerWorker, Duration lease) {
    VolunteerProfile.checkDispatchSettings(tasksPerWorker, lease);
    this.tasksPerWorker = tasksPerWorker;
    this.lease = lease;
  }

  @Override
  public int batch(VolunteerProfile volunteer) {
    return tasksPerWorker * volunteer.workers();
  }

  @Override
  public int prefetchBelow(VolunteerProfile volunteer) {
    return 0;
  }

  @Override
  public int grant(VolunteerProfile volunteer, int requested, int held) {
    return Math.max(0, Math.min(requested, batch(volunteer) - held));
  }

  @Override
  public Duration lease(VolunteerProfile volunteer) {
    return lease;
  }

  @Override
  public String name() {
    return "batch";
  }

  @Override
  public String toString() {
    return "batch(" + tasksPerWorker + " per worker, lease " + lease + ")";
  }
}
