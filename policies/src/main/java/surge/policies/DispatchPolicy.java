package surge.policies;

import java.time.Duration;

/**
 * How work flows to one volunteer: how many tasks it asks for at once, when it asks again, how many
 * of those it is granted, and how long it may hold a task without a heartbeat.
 *
 * <p>These are the two knobs of the Panther paper's modes: in <em>batch</em> mode a volunteer asks
 * for a batch only when it has nothing left; in <em>asynchronous</em> mode it asks for the next
 * batch while it still has tasks queued, so its workers never idle on a round trip.
 *
 * <p>Every implementation must pass {@code DispatchPolicyContract} (in this module's test-jar).
 */
public interface DispatchPolicy {

  /** Tasks a volunteer should ask for at once; at least 1. */
  int batch(VolunteerProfile volunteer);

  /**
   * The volunteer asks again when fewer than this many tasks are waiting on it; 0 means only when
   * it has none left (batch mode). Never more than {@link #batch}.
   */
  int prefetchBelow(VolunteerProfile volunteer);

  /**
   * How many tasks to grant now.
   *
   * @param requested what the volunteer still asks for (at least 1)
   * @param held tasks it holds already (queued on it or running)
   * @return between 0 and {@code requested}; 0 means "not now", and the demand stays pending
   */
  int grant(VolunteerProfile volunteer, int requested, int held);

  /** How long a task stays leased without a heartbeat before it returns to the queue. */
  Duration lease(VolunteerProfile volunteer);

  /** The largest number of tasks one volunteer may hold: each worker's batch plus its prefetch. */
  static int holdLimit(DispatchPolicy policy, VolunteerProfile volunteer) {
    return policy.batch(volunteer) + policy.prefetchBelow(volunteer);
  }
}
