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

  /** Its leases by lease id (a task may be out twice: a spot check of a known answer). */
  final Map<Long, Lease> leased = new HashMap<>();

  final Verify verify;

  /** Its mean time per task, for dispatch policies that size by speed. */
  final JobSpeed speed = new JobSpeed();

  /** Results of tasks not yet accepted. */
  private Map<Integer, Votes> votes;

  /** Who each accepted task's result came from (untrusted identities only), for backtracking. */
  private Map<Integer, String[]> acceptedBy;

  /** Answers known to be right (the server's or a trusted volunteer's), for spot checks. */
  private Map<Integer, Known> known;

  long results;
  long serverRuns;
  long spotChecks;
  long disagreements;
  long blacklisted;
  long recomputed;

  /** A known answer and the identities it has checked already (each is checked once). */
  record Known(byte[] output, java.util.Set<String> checked) {}

  final long submittedNanos;
  int doneCount;
  private Map<Integer, TaskLosses> losses;
  private Map<Integer, Long> requeuedAt;
  private Map<Integer, TaskFailures> failures;
  Instant startedAt;
  JobProgress.Phase phase = JobProgress.Phase.QUEUED;
  JobFailure failure;
  boolean ended;

  JobRun(DispatchJob job, BitSet alreadyDone, long nanos, DispatchLimits limits) {
    this.job = job;
    this.verify = job.verify();
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

  /**
   * The counted losses of task {@code index}, allocated on its first: most tasks never lose one.
   */
  TaskLosses losses(int index) {
    if (losses == null) {
      losses = new HashMap<>();
    }
    return losses.computeIfAbsent(index, i -> new TaskLosses());
  }

  /** The failures of task {@code index}, allocated on its first. */
  TaskFailures failures(int index) {
    if (failures == null) {
      failures = new HashMap<>();
    }
    return failures.computeIfAbsent(index, i -> new TaskFailures());
  }

  /** May {@code v} take this job's tasks at all? */
  boolean eligible(Volunteer v) {
    if (verify.mode() == Verify.Mode.NONE && !v.trusted()) {
      return false;
    }
    return !v.standing.barredFrom(job.owner());
  }

  /**
   * Takes the first queued task that {@code volunteer} has not failed and has not answered already,
   * or returns -1; the tasks passed over keep their places.
   */
  int pollFor(Volunteer volunteer) {
    if (failures == null && votes == null) {
      return queue.pollFirst();
    }
    int[] passed = new int[Math.min(SEARCH, queue.size())];
    int n = 0;
    int found = -1;
    while (!queue.isEmpty() && n < passed.length) {
      int index = queue.pollFirst();
      TaskFailures f = failures == null ? null : failures.get(index);
      Votes mine = votes == null ? null : votes.get(index);
      if ((f == null || !f.failedOn(volunteer.identity))
          && (mine == null || !mine.votedBy(volunteer.identity))) {
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

  Votes votes(int index) {
    if (votes == null) {
      votes = new HashMap<>();
    }
    return votes.computeIfAbsent(index, i -> new Votes());
  }

  /** Forgets a task's votes: it is accepted, or starts over; null if it had none. */
  Votes dropVotes(int index) {
    return votes == null ? null : votes.remove(index);
  }

  /** Every task's votes, for backtracking. */
  Map<Integer, Votes> allVotes() {
    return votes == null ? Map.of() : votes;
  }

  void acceptedFrom(int index, String[] identities) {
    if (identities.length == 0) {
      return;
    }
    if (acceptedBy == null) {
      acceptedBy = new HashMap<>();
    }
    acceptedBy.put(index, identities);
  }

  /** The accepted tasks with a result from {@code identity}; their records are forgotten. */
  java.util.List<Integer> takeAcceptedFrom(String identity) {
    if (acceptedBy == null) {
      return java.util.List.of();
    }
    java.util.List<Integer> found = new java.util.ArrayList<>();
    acceptedBy
        .entrySet()
        .removeIf(
            e -> {
              for (String id : e.getValue()) {
                if (id.equals(identity)) {
                  found.add(e.getKey());
                  return true;
                }
              }
              return false;
            });
    return found;
  }

  void know(int index, byte[] output) {
    if (known == null) {
      known = new java.util.LinkedHashMap<>();
    }
    if (known.size() < Verify.MAX_KNOWN_ANSWERS) {
      known.putIfAbsent(index, new Known(output, new java.util.HashSet<>()));
    }
  }

  Known known(int index) {
    return known == null ? null : known.get(index);
  }

  void forgetKnown(int index) {
    if (known != null) {
      known.remove(index);
    }
  }

  /**
   * A known answer {@code identity} has not been checked against yet (now marked checked), or -1.
   */
  int spotCheckFor(String identity) {
    if (known == null) {
      return -1;
    }
    for (var e : known.entrySet()) {
      if (e.getValue().checked().add(identity)) {
        return e.getKey();
      }
    }
    return -1;
  }

  VerificationReport report() {
    return new VerificationReport(
        verify.text(),
        verify.mode() == Verify.Mode.ADAPTIVE
            ? java.util.OptionalDouble.of(verify.targetError())
            : java.util.OptionalDouble.empty(),
        verify.compare().text(),
        doneCount,
        results,
        serverRuns,
        spotChecks,
        disagreements,
        blacklisted,
        recomputed);
  }

  /** Progress (0..1) of each task's kept checkpoint; allocated with the first. */
  private Map<Integer, Double> checkpoints;

  /**
   * The progress (0..1) of task {@code index}'s latest checkpoint, if the server keeps one: a task
   * handed out now resumes from it (docs/checkpoints.md), so a dispatch policy may give it to a
   * session that will not stay long.
   */
  java.util.OptionalDouble checkpointProgress(int index) {
    Double p = checkpoints == null ? null : checkpoints.get(index);
    return p == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(p);
  }

  /** Whether any task of this job has a checkpoint kept. */
  boolean hasCheckpoints() {
    return checkpoints != null && !checkpoints.isEmpty();
  }

  /** Kept by {@link Checkpoints}: a task's checkpoint progress, or -1 when it has none. */
  void checkpointProgress(int index, double progress) {
    if (progress < 0) {
      if (checkpoints != null) {
        checkpoints.remove(index);
      }
      return;
    }
    if (checkpoints == null) {
      checkpoints = new HashMap<>();
    }
    checkpoints.put(index, progress);
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

  /** How many distinct identities lost task {@code index} so far (SURGE_MAX_ATTEMPTS). */
  int attemptsOf(int index) {
    TaskLosses l = losses == null ? null : losses.get(index);
    return l == null ? 0 : l.identities();
  }

  /** Has {@code identity} failed task {@code index} or answered it already? */
  boolean triedBy(int index, String identity) {
    TaskFailures f = failures == null ? null : failures.get(index);
    Votes mine = votes == null ? null : votes.get(index);
    return (f != null && f.failedOn(identity)) || (mine != null && mine.votedBy(identity));
  }
}
