package surge.dispatch;

import java.time.Instant;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/** A job while the dispatcher holds it: its queue, its leases and what went wrong so far. */
final class JobRun {
  static final Comparator<JobRun> ORDER =
      Comparator.<JobRun>comparingInt(r -> -r.job.priority())
          .thenComparing(r -> r.job.deadline().orElse(Instant.MAX), Comparator.naturalOrder())
          .thenComparingLong(r -> r.job.sequence())
          .thenComparing(r -> r.job.id());

  /**
   * How far down its queue a job is searched for a task a volunteer has not failed; failed tasks go
   * back to the front, so a short search finds the others behind them.
   */
  private static final int SEARCH = 64;

  final DispatchJob job;
  final long timeoutMillis;
  final IntDeque queue;
  final BitSet done;
  final Map<Integer, Lease> leased = new HashMap<>();
  final long submittedNanos;
  int doneCount;
  private int[] attempts;
  private Map<Integer, Long> requeuedAt;
  private Map<Integer, TaskFailures> failures;
  Instant startedAt;
  JobProgress.Phase phase = JobProgress.Phase.QUEUED;
  JobFailure failure;
  boolean ended;

  JobRun(DispatchJob job, BitSet alreadyDone, long nanos, DispatchLimits limits) {
    this.job = job;
    // A limit stored before the operator lowered SURGE_MAX_TASK_TIMEOUT obeys the new maximum.
    var timeout = job.taskTimeout().orElse(limits.taskTimeout());
    this.timeoutMillis = Math.min(timeout.toMillis(), limits.maxTaskTimeout().toMillis());
    this.done = (BitSet) alreadyDone.clone();
    this.doneCount = done.cardinality();
    this.queue = IntDeque.range(job.taskCount(), done);
    this.submittedNanos = nanos;
    this.startedAt = job.started().orElse(null);
    if (startedAt != null) {
      phase = JobProgress.Phase.RUNNING;
    }
  }

  /** Allocated on the first lost lease: most jobs never lose one. */
  int[] attempts() {
    if (attempts == null) {
      attempts = new int[job.taskCount()];
    }
    return attempts;
  }

  /** The failures of task {@code index}, allocated on its first. */
  TaskFailures failures(int index) {
    if (failures == null) {
      failures = new HashMap<>();
    }
    return failures.computeIfAbsent(index, i -> new TaskFailures());
  }

  /**
   * Takes the first queued task that {@code volunteer} has not failed, or returns -1; the tasks
   * passed over keep their places.
   */
  int pollFor(String volunteer) {
    if (failures == null) {
      return queue.pollFirst();
    }
    int[] passed = new int[Math.min(SEARCH, queue.size())];
    int n = 0;
    int found = -1;
    while (!queue.isEmpty() && n < passed.length) {
      int index = queue.pollFirst();
      TaskFailures f = failures.get(index);
      if (f == null || !f.failedOn(volunteer)) {
        found = index;
        break;
      }
      passed[n++] = index;
    }
    while (n > 0) {
      queue.addFirst(passed[--n]);
    }
    return found;
  }

  void markQueued(int index, long nanos) {
    if (requeuedAt == null) {
      requeuedAt = new HashMap<>();
    }
    requeuedAt.put(index, nanos);
  }

  long queuedAt(int index) {
    if (requeuedAt != null) {
      Long t = requeuedAt.remove(index);
      if (t != null) {
        return t;
      }
    }
    return submittedNanos;
  }
}
