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

  // ---- what a policy may add, knowing the session (docs/dispatch.md) ----
  //
  // The dispatcher calls these with its lock held, on its clock (SessionView.now); a simulator
  // calls them the same way with a simulated clock. The defaults are the behaviour of a policy
  // that knows only the profile, so BatchDispatch and AsyncPrefetchDispatch are unchanged.

  /** The name SURGE_DISPATCH_MODE uses for it (lower case letters, digits and dashes). */
  default String name() {
    return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * How many tasks to grant now, knowing the session: how long it has stayed, how fast it works,
   * what it holds ({@code session.held()}). The same bounds as {@link #grant(VolunteerProfile, int,
   * int)}: between 0 and {@code requested}, never past {@link #holdLimit}, and something for a
   * session that holds nothing. The default ignores all but the profile.
   */
  default int grant(SessionView session, int requested) {
    return grant(session.profile(), requested, session.held());
  }

  /**
   * How many queued tasks (from the head of the best job's queue, that the session may take) the
   * policy wants to see to choose one; 1 means "the head", and the dispatcher builds no candidate
   * list at all. At most {@link #MAX_CANDIDATES}.
   */
  default int candidates() {
    return 1;
  }

  /**
   * Which of {@code candidates} (never empty, at most {@link #candidates()}, head first) the
   * session gets next; the others keep their places. The default takes the head.
   *
   * @return an index into {@code candidates}; anything out of range counts as 0
   */
  default int choose(SessionView session, java.util.List<TaskView> candidates) {
    return 0;
  }

  /**
   * Nothing is queued that {@code taker} may take, and it has room: should it get a copy of a task
   * another session holds (a tail duplicate)? {@code held} are leases of other identities on tasks
   * of jobs with nothing queued, oldest first, at most {@link #MAX_CANDIDATES}. The copy is a
   * replica lease: its answer counts as the original's would (first accepted answer wins where the
   * job takes the first; otherwise it is one more vote from a distinct identity), and when either
   * answer settles the task the other lease is cancelled. The default never duplicates.
   *
   * @return the index into {@code held} of the task to copy, or empty
   */
  default java.util.OptionalInt duplicate(SessionView taker, java.util.List<HeldTask> held) {
    return java.util.OptionalInt.empty();
  }

  /**
   * The session has gone ({@code session.now()} is when): a dwell sample for policies that learn
   * from it, and the time to drop per-session state. {@code clean}: it said goodbye (released its
   * tasks, like pagehide); false when its connection dropped or went silent.
   */
  default void departed(SessionView session, boolean clean) {}

  /** The most candidates or held tasks a policy is ever shown at once. */
  int MAX_CANDIDATES = 32;

  /** The largest number of tasks one volunteer may hold: each worker's batch plus its prefetch. */
  static int holdLimit(DispatchPolicy policy, VolunteerProfile volunteer) {
    return policy.batch(volunteer) + policy.prefetchBelow(volunteer);
  }
}
