package surge.dispatch;

import java.util.TreeSet;

/**
 * The jobs that have queued tasks, best first (priority, deadline, age), and how many tasks wait
 * over all of them. The dispatcher calls it with its lock held.
 */
final class RunQueue {
  /** A task taken for a volunteer. */
  record Taken(JobRun run, int index) {}

  private final TreeSet<JobRun> runnable = new TreeSet<>(JobRun.ORDER);
  private long queued;
  private long requeuedTotal;

  /** A new (or recovered) job: its queue joins the line. */
  void add(JobRun run) {
    queued += run.queue.size();
    if (!run.queue.isEmpty()) {
      runnable.add(run);
    }
  }

  boolean isEmpty() {
    return runnable.isEmpty();
  }

  /**
   * The best queued task that {@code volunteer} may take (not one it failed or already returned, of
   * a job it may work for), taken off the queue; null if every queued task is one it failed (or
   * none is queued).
   */
  Taken take(Volunteer volunteer) {
    for (JobRun run : runnable) {
      if (!run.eligible(volunteer)) {
        continue;
      }
      int index = run.pollFor(volunteer);
      if (index >= 0) {
        queued--;
        if (run.queue.isEmpty()) {
          runnable.remove(run);
        }
        return new Taken(run, index);
      }
    }
    return null;
  }

  /** Picks one of a job's first queued tasks that a volunteer may take. */
  interface Choice {
    /** How many to look at in {@code run} (1: take the first, nothing to choose). */
    int among(JobRun run);

    /** The position in {@code indices[0..n)} (n at least 2) of the task to take. */
    int choose(JobRun run, int[] indices, int n);
  }

  /**
   * As {@link #take(Volunteer)}, but the policy chooses among the first tasks of the best job that
   * {@code volunteer} may take; the others go back to the front of their queue, in their order.
   */
  Taken take(Volunteer volunteer, Choice choice) {
    for (JobRun run : runnable) {
      if (!run.eligible(volunteer)) {
        continue;
      }
      int k = Math.min(choice.among(run), run.queue.size());
      if (k <= 1) {
        return take(volunteer);
      }
      int[] seen = new int[k];
      int n = 0;
      while (n < k) {
        int index = run.pollFor(volunteer);
        if (index < 0) {
          break;
        }
        seen[n++] = index;
      }
      if (n == 0) {
        continue;
      }
      int pick = n == 1 ? 0 : choice.choose(run, seen, n);
      if (pick < 0 || pick >= n) {
        pick = 0;
      }
      for (int i = n - 1; i >= 0; i--) {
        if (i != pick) {
          run.queue.addFirst(seen[i]);
        }
      }
      queued--;
      if (run.queue.isEmpty()) {
        runnable.remove(run);
      }
      return new Taken(run, seen[pick]);
    }
    return null;
  }

  /** The best job with queued tasks, or null. */
  JobRun first() {
    return runnable.isEmpty() ? null : runnable.first();
  }

  /** A task goes back to the front of its job's queue, to be taken next. */
  void requeue(JobRun run, int index, long nanos) {
    requeuedTotal++;
    run.queue.addFirst(index);
    run.markQueued(index, nanos);
    queued++;
    runnable.add(run);
  }

  /**
   * A task goes to the back of its job's queue: a replica, wanted from another volunteer, which
   * should not keep volunteers that cannot take it from the tasks behind it.
   */
  void requeueLast(JobRun run, int index, long nanos) {
    requeuedTotal++;
    run.queue.addLast(index);
    run.markQueued(index, nanos);
    queued++;
    runnable.add(run);
  }

  /**
   * A task claimed for this instance joins the back of its job's queue (not a requeue: it was never
   * here).
   */
  void offer(JobRun run, int index, long nanos) {
    run.queue.addLast(index);
    run.markQueued(index, nanos);
    queued++;
    runnable.add(run);
  }

  /** A queued task needs no volunteer any more (the server computed it). */
  void remove(JobRun run, int index) {
    if (run.queue.remove(index)) {
      queued--;
      if (run.queue.isEmpty()) {
        runnable.remove(run);
      }
    }
  }

  /** The job has ended: its queued tasks are dropped. */
  void drop(JobRun run) {
    runnable.remove(run);
    queued -= run.queue.size();
    run.queue.clear();
  }

  long queued() {
    return queued;
  }

  long requeuedTotal() {
    return requeuedTotal;
  }
}
