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
