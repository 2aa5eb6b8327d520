package surge.dispatch;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import surge.policies.DispatchPolicy;
import surge.policies.VolunteerProfile;
import surge.volunteers.protocol.Message;
import surge.volunteers.protocol.Message.ReleaseReason;
import surge.volunteers.protocol.Message.Result;
import surge.volunteers.protocol.Message.TaskLease;
import surge.volunteers.protocol.Message.TaskRef;

/**
 * Matches queued tasks with volunteers' demand, and keeps leases.
 *
 * <p>All state lives in memory under one lock: a dispatch decision costs microseconds and never
 * waits for the database. What must survive a crash (results, job outcomes) goes to {@link
 * JobEvents} in order, and the journal writes it in batches. Leases are deliberately not durable:
 * after a restart every volunteer reconnects, so every task without a stored result is simply
 * queued again.
 *
 * <p>Messages to volunteers are collected while the lock is held and sent after it is released.
 */
public final class Dispatcher {
  private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
  private static final int STDERR_TAIL = 4096;

  private final DispatchPolicy policy;
  private final JobEvents events;
  private final LongSupplier clock;
  private final long heartbeatMillis;
  private final int maxAttempts;
  private final LongConsumer dispatchLatencyNanos;
  private final DeadlineMissed deadlineMissed;

  private final Map<String, JobRun> jobs = new HashMap<>();
  private final TreeSet<JobRun> runnable = new TreeSet<>(JobRun.ORDER);
  private final Map<String, Volunteer> volunteers = new LinkedHashMap<>();
  private final ArrayDeque<Volunteer> waiting = new ArrayDeque<>();
  private long nextLease = 1;
  private long queuedCount;
  private long leasedCount;
  private long completedTotal;
  private long failedTotal;
  private long ignoredTotal;
  private long requeuedTotal;
  private volatile long lastTick;

  /**
   * @param clock epoch milliseconds
   * @param dispatchLatencyNanos told, for each task sent, how long it waited in the queue
   */
  public Dispatcher(
      DispatchPolicy policy,
      JobEvents events,
      LongSupplier clock,
      long heartbeatMillis,
      int maxAttempts,
      LongConsumer dispatchLatencyNanos) {
    this(
        policy,
        events,
        clock,
        heartbeatMillis,
        maxAttempts,
        dispatchLatencyNanos,
        job -> Optional.empty());
  }

  /**
   * As above; {@code deadlineMissed} is told of each job that misses its deadline and may add to
   * the failure's message.
   */
  public Dispatcher(
      DispatchPolicy policy,
      JobEvents events,
      LongSupplier clock,
      long heartbeatMillis,
      int maxAttempts,
      LongConsumer dispatchLatencyNanos,
      DeadlineMissed deadlineMissed) {
    this.deadlineMissed = deadlineMissed;
    this.policy = policy;
    this.events = events;
    this.clock = clock;
    this.heartbeatMillis = heartbeatMillis;
    this.maxAttempts = maxAttempts;
    this.dispatchLatencyNanos = dispatchLatencyNanos;
    this.lastTick = clock.getAsLong();
  }

  // ---- jobs ----

  /**
   * Queues a job's tasks, except those already done (when a job is recovered after a restart). If
   * every task is done already, the job goes straight to merging.
   */
  public void submit(DispatchJob job, BitSet alreadyDone) {
    var out = new Outbox();
    synchronized (this) {
      if (jobs.containsKey(job.id())) {
        throw new IllegalStateException("job " + job.id() + " is already dispatched");
      }
      var run = new JobRun(job, alreadyDone, System.nanoTime());
      jobs.put(job.id(), run);
      queuedCount += run.queue.size();
      if (run.doneCount == job.taskCount()) {
        run.phase = JobProgress.Phase.MERGING;
        events.jobCompleted(job.id());
      } else {
        runnable.add(run);
        pump(out);
      }
    }
    out.flush();
  }

  /** Cancels a job the dispatcher holds; false if it holds no such job or the job is merging. */
  public boolean cancel(String jobId, String reason) {
    var out = new Outbox();
    synchronized (this) {
      JobRun run = jobs.get(jobId);
      if (run == null || run.ended || run.phase == JobProgress.Phase.MERGING) {
        return false;
      }
      end(run, out, "cancelled: " + reason);
      run.phase = JobProgress.Phase.CANCELLED;
      events.jobCancelled(jobId, reason);
    }
    out.flush();
    return true;
  }

  /** The journal has stored the job's end (or its merged result): the dispatcher can forget it. */
  public synchronized void forget(String jobId) {
    jobs.remove(jobId);
  }

  /** As {@link #forget(String)}, for the journal and merger, which know a job by its sequence. */
  public synchronized void forgetSequence(long sequence) {
    jobs.values().removeIf(run -> run.job.sequence() == sequence);
  }

  public synchronized Optional<JobProgress> progress(String jobId) {
    JobRun run = jobs.get(jobId);
    if (run == null) {
      return Optional.empty();
    }
    return Optional.of(
        new JobProgress(
            jobId,
            run.phase,
            run.job.taskCount(),
            run.queue.size(),
            run.leased.size(),
            run.doneCount,
            Optional.ofNullable(run.startedAt),
            Optional.ofNullable(run.failure)));
  }

  // ---- volunteers ----

  /** Registers a volunteer after a valid hello and returns what to tell it in the welcome. */
  public Message.Welcome connect(
      String id, VolunteerChannel channel, VolunteerProfile profile, int maxMessageBytes) {
    synchronized (this) {
      if (volunteers.containsKey(id)) {
        throw new IllegalStateException("volunteer " + id + " is already connected");
      }
      volunteers.put(id, new Volunteer(id, channel, profile, clock.getAsLong()));
    }
    return new Message.Welcome(
        id,
        heartbeatMillis,
        policy.lease(profile).toMillis(),
        policy.batch(profile),
        policy.prefetchBelow(profile),
        maxMessageBytes);
  }

  /** The volunteer wants {@code count} more tasks. */
  public void request(String id, int count) {
    var out = new Outbox();
    synchronized (this) {
      Volunteer v = seen(id);
      if (v == null) {
        return;
      }
      // A volunteer cannot bank more demand than it could ever hold.
      int cap = 4 * DispatchPolicy.holdLimit(policy, v.profile);
      v.demand = (int) Math.min(cap, (long) v.demand + count);
      enqueueWaiting(v);
      pump(out);
    }
    out.flush();
  }

  /** Renews the leases of every task the volunteer holds. */
  public synchronized void heartbeat(String id) {
    Volunteer v = seen(id);
    if (v == null) {
      return;
    }
    long expires = clock.getAsLong() + policy.lease(v.profile).toMillis();
    for (Lease l : v.leases.values()) {
      l.expiresAt = expires;
    }
  }

  /** Results from a volunteer; those that do not match a current lease are ignored. */
  public void results(String id, List<Result> results) {
    var out = new Outbox();
    synchronized (this) {
      Volunteer v = seen(id);
      if (v == null) {
        ignoredTotal += results.size();
        return;
      }
      for (Result r : results) {
        Lease l = v.leases.get(r.lease());
        if (l == null || !l.run.job.id().equals(r.job()) || l.index != r.index() || l.run.ended) {
          ignoredTotal++;
          continue;
        }
        unlease(l);
        JobRun run = l.run;
        switch (r.status()) {
          case OK -> {
            run.done.set(l.index);
            run.doneCount++;
            completedTotal++;
            events.taskDone(run.job.id(), l.index, r.stdout(), r.millis());
            if (run.doneCount == run.job.taskCount()) {
              run.phase = JobProgress.Phase.MERGING;
              events.jobCompleted(run.job.id());
            }
          }
          case EXIT, TRAP -> {
            failedTotal++;
            String what =
                r.status() == Message.ResultStatus.TRAP
                    ? "task " + l.index + " trapped"
                    : "task " + l.index + " exited with code " + r.exitCode();
            fail(
                run,
                out,
                new JobFailure(
                    what,
                    OptionalInt.of(l.index),
                    OptionalInt.of(r.exitCode()),
                    Optional.of(tail(r.stderr()))));
          }
        }
      }
      enqueueWaiting(v);
      pump(out);
    }
    out.flush();
  }

  /** The volunteer gives tasks back (closing, paused, kernel unavailable...): requeue them now. */
  public void release(String id, List<TaskLease> tasks, ReleaseReason reason) {
    var out = new Outbox();
    synchronized (this) {
      Volunteer v = seen(id);
      if (v == null) {
        return;
      }
      for (TaskLease t : tasks) {
        Lease l = v.leases.get(t.lease());
        if (l != null && l.run.job.id().equals(t.job()) && l.index == t.index()) {
          lose(l, "released by a volunteer (" + reason.wire + ")", out);
        }
      }
      enqueueWaiting(v);
      pump(out);
    }
    out.flush();
  }

  /** The connection is gone: everything it held goes back to the queue at once. */
  public void disconnect(String id) {
    var out = new Outbox();
    synchronized (this) {
      Volunteer v = volunteers.remove(id);
      if (v == null) {
        return;
      }
      waiting.remove(v);
      for (Lease l : List.copyOf(v.leases.values())) {
        lose(l, "its volunteer disconnected", out);
      }
      pump(out);
    }
    out.flush();
  }

  /**
   * Housekeeping, called a few times a second: expired leases go back to the queue, silent
   * volunteers are closed, jobs past their deadline fail.
   */
  public void tick() {
    var out = new Outbox();
    List<Volunteer> silent = new ArrayList<>();
    synchronized (this) {
      long now = clock.getAsLong();
      lastTick = now;
      for (Volunteer v : volunteers.values()) {
        if (now - v.lastSeen > 3 * heartbeatMillis) {
          silent.add(v);
          continue;
        }
        List<Lease> expired = null;
        for (Lease l : v.leases.values()) {
          if (l.expiresAt < now) {
            if (expired == null) {
              expired = new ArrayList<>();
            }
            expired.add(l);
          }
        }
        if (expired != null) {
          for (Lease l : expired) {
            out.cancel(v, new TaskRef(l.run.job.id(), l.index), "lease expired");
            lose(l, "its lease expired", out);
          }
        }
      }
      for (JobRun run : List.copyOf(jobs.values())) {
        if (!run.ended
            && run.phase != JobProgress.Phase.MERGING
            && run.job.deadline().isPresent()
            && run.job.deadline().get().toEpochMilli() < now) {
          fail(run, out, JobFailure.of(deadlineMessage(run)));
        }
      }
      pump(out);
    }
    out.flush();
    for (Volunteer v : silent) {
      v.channel.close(4408, "no heartbeat within " + 3 * heartbeatMillis + " ms");
      disconnect(v.id);
    }
  }

  public synchronized DispatchStats stats() {
    return new DispatchStats(
        volunteers.size(),
        (int) jobs.values().stream().filter(j -> !j.ended).count(),
        queuedCount,
        leasedCount,
        completedTotal,
        failedTotal,
        ignoredTotal,
        requeuedTotal,
        lastTick);
  }

  // ---- internals, all called with the lock held ----

  private Volunteer seen(String id) {
    Volunteer v = volunteers.get(id);
    if (v != null) {
      v.lastSeen = clock.getAsLong();
    }
    return v;
  }

  private void enqueueWaiting(Volunteer v) {
    if (v.demand > 0 && !v.waiting) {
      v.waiting = true;
      waiting.addLast(v);
    }
  }

  /** Hands queued tasks to waiting volunteers, round robin, best job first. */
  private void pump(Outbox out) {
    long now = clock.getAsLong();
    long nanos = System.nanoTime();
    int rounds = waiting.size();
    while (!waiting.isEmpty() && !runnable.isEmpty() && rounds-- > 0) {
      Volunteer v = waiting.pollFirst();
      v.waiting = false;
      int grant = policy.grant(v.profile, v.demand, v.leases.size());
      if (grant <= 0) {
        continue; // holds enough; re-enters the line when it hands results back
      }
      long expires = now + policy.lease(v.profile).toMillis();
      for (int n = 0; n < grant && !runnable.isEmpty(); n++) {
        JobRun run = runnable.first();
        int index = run.queue.pollFirst();
        queuedCount--;
        if (run.queue.isEmpty()) {
          runnable.remove(run);
        }
        var lease = new Lease(nextLease++, run, index, v, expires);
        v.leases.put(lease.id, lease);
        run.leased.put(index, lease);
        leasedCount++;
        v.demand--;
        if (run.startedAt == null) {
          run.startedAt = Instant.ofEpochMilli(now);
          run.phase = JobProgress.Phase.RUNNING;
          events.jobStarted(run.job.id(), run.startedAt);
        }
        dispatchLatencyNanos.accept(nanos - run.queuedAt(index));
        var p = run.job.payloads().apply(index);
        out.task(
            v,
            new Message.Task(
                run.job.id(), index, lease.id, p.kernel(), p.args(), p.env(), p.stdin(), expires));
      }
      if (v.demand > 0) {
        enqueueWaiting(v);
        rounds++;
      }
    }
  }

  private void unlease(Lease l) {
    l.volunteer.leases.remove(l.id);
    l.run.leased.remove(l.index);
    leasedCount--;
  }

  /** A lease ended without a result: the task goes back to the front of its job's queue. */
  private void lose(Lease l, String why, Outbox out) {
    unlease(l);
    JobRun run = l.run;
    if (run.ended) {
      return;
    }
    int attempts = ++run.attempts()[l.index];
    if (attempts >= maxAttempts) {
      fail(
          run,
          out,
          JobFailure.of(
              "task "
                  + l.index
                  + " was lost "
                  + attempts
                  + " times (SURGE_MAX_ATTEMPTS="
                  + maxAttempts
                  + "); last time "
                  + why));
      return;
    }
    requeuedTotal++;
    run.queue.addFirst(l.index);
    run.markQueued(l.index, System.nanoTime());
    queuedCount++;
    runnable.add(run);
  }

  private String deadlineMessage(JobRun run) {
    String message =
        "deadline passed at "
            + run.job.deadline().orElseThrow()
            + " with "
            + run.doneCount
            + " of "
            + run.job.taskCount()
            + " tasks done: the volunteers could not finish in time";
    Optional<String> note;
    try {
      note = deadlineMissed.note(run.job);
    } catch (RuntimeException e) {
      LOG.log(java.util.logging.Level.WARNING, "deadline listener failed for " + run.job.id(), e);
      note = Optional.empty();
    }
    return note.map(n -> message + "; " + n).orElse(message);
  }

  private void fail(JobRun run, Outbox out, JobFailure failure) {
    LOG.info(() -> "job " + run.job.id() + " failed: " + failure.message());
    end(run, out, failure.message());
    run.phase = JobProgress.Phase.FAILED;
    run.failure = failure;
    events.jobFailed(run.job.id(), failure);
  }

  /** Stops a job's dispatch: drops its queue and cancels its leases on the volunteers. */
  private void end(JobRun run, Outbox out, String reason) {
    run.ended = true;
    runnable.remove(run);
    queuedCount -= run.queue.size();
    run.queue.clear();
    for (Lease l : List.copyOf(run.leased.values())) {
      unlease(l);
      out.cancel(l.volunteer, new TaskRef(run.job.id(), l.index), reason);
      enqueueWaiting(l.volunteer);
    }
  }

  private static String tail(byte[] stderr) {
    int from = Math.max(0, stderr.length - STDERR_TAIL);
    return new String(stderr, from, stderr.length - from, java.nio.charset.StandardCharsets.UTF_8);
  }

  // ---- state ----

  private static final class JobRun {
    static final Comparator<JobRun> ORDER =
        Comparator.<JobRun>comparingInt(r -> -r.job.priority())
            .thenComparing(r -> r.job.deadline().orElse(Instant.MAX), Comparator.naturalOrder())
            .thenComparingLong(r -> r.job.sequence())
            .thenComparing(r -> r.job.id());

    final DispatchJob job;
    final IntDeque queue;
    final BitSet done;
    final Map<Integer, Lease> leased = new HashMap<>();
    final long submittedNanos;
    int doneCount;
    private int[] attempts;
    private Map<Integer, Long> requeuedAt;
    Instant startedAt;
    JobProgress.Phase phase = JobProgress.Phase.QUEUED;
    JobFailure failure;
    boolean ended;

    JobRun(DispatchJob job, BitSet alreadyDone, long nanos) {
      this.job = job;
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

  private static final class Volunteer {
    final String id;
    final VolunteerChannel channel;
    final VolunteerProfile profile;
    final Map<Long, Lease> leases = new HashMap<>();
    int demand;
    boolean waiting;
    long lastSeen;

    Volunteer(String id, VolunteerChannel channel, VolunteerProfile profile, long now) {
      this.id = id;
      this.channel = channel;
      this.profile = profile;
      this.lastSeen = now;
    }
  }

  private static final class Lease {
    final long id;
    final JobRun run;
    final int index;
    final Volunteer volunteer;
    long expiresAt;

    Lease(long id, JobRun run, int index, Volunteer volunteer, long expiresAt) {
      this.id = id;
      this.run = run;
      this.index = index;
      this.volunteer = volunteer;
      this.expiresAt = expiresAt;
    }
  }

  /** Messages gathered under the lock, one per volunteer and kind, sent after it. */
  private static final class Outbox {
    private final Map<Volunteer, List<Message.Task>> tasks = new LinkedHashMap<>();
    private final Map<Volunteer, Map<String, List<TaskRef>>> cancels = new LinkedHashMap<>();

    void task(Volunteer v, Message.Task t) {
      tasks.computeIfAbsent(v, k -> new ArrayList<>()).add(t);
    }

    void cancel(Volunteer v, TaskRef t, String reason) {
      cancels
          .computeIfAbsent(v, k -> new LinkedHashMap<>())
          .computeIfAbsent(reason, k -> new ArrayList<>())
          .add(t);
    }

    void flush() {
      cancels.forEach(
          (v, byReason) ->
              byReason.forEach((reason, refs) -> v.channel.send(new Message.Cancel(refs, reason))));
      tasks.forEach((v, list) -> v.channel.send(new Message.Tasks(list)));
    }
  }
}
