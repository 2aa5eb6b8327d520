package surge.dispatch;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
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

  private final DispatchPolicy policy;
  private final JobEvents events;
  private final LongSupplier clock;
  private final long heartbeatMillis;
  private final int maxAttempts;
  private final LongConsumer dispatchLatencyNanos;
  private final DeadlineMissed deadlineMissed;
  private final DispatchLimits limits;

  private final Map<String, JobRun> jobs = new HashMap<>();
  private final RunQueue queue = new RunQueue();
  private final Map<String, Volunteer> volunteers = new LinkedHashMap<>();
  private final ArrayDeque<Volunteer> waiting = new ArrayDeque<>();
  private long nextLease = 1;
  private long leasedCount;
  private long completedTotal;
  private long failedTotal;
  private long ignoredTotal;
  private volatile long lastTick;

  /**
   * @param clock epoch milliseconds
   * @param dispatchLatencyNanos told, for each task sent, how long it waited in the queue
   * @param deadlineMissed told of each job that misses its deadline; may add to the failure's
   *     message
   * @param limits what each volunteer may hold and each task may take
   */
  public Dispatcher(
      DispatchPolicy policy,
      JobEvents events,
      LongSupplier clock,
      long heartbeatMillis,
      int maxAttempts,
      LongConsumer dispatchLatencyNanos,
      DeadlineMissed deadlineMissed,
      DispatchLimits limits) {
    this.deadlineMissed = deadlineMissed;
    this.limits = limits;
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
      var run = new JobRun(job, alreadyDone, System.nanoTime(), limits);
      jobs.put(job.id(), run);
      queue.add(run);
      if (run.doneCount == job.taskCount()) {
        run.phase = JobProgress.Phase.MERGING;
        events.jobCompleted(job.id());
      } else {
        pump(out);
      }
    }
    out.flush();
  }

  /** The limits jobs and volunteers are held to. */
  public DispatchLimits limits() {
    return limits;
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
      // What its claim would let it hold is only the ceiling; it starts small (Allowance).
      int claimed = Math.min(DispatchPolicy.holdLimit(policy, profile), limits.maxVolunteerTasks());
      var allowance = new Allowance(limits.newVolunteerTasks(), claimed);
      volunteers.put(id, new Volunteer(id, channel, profile, allowance, clock.getAsLong()));
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

  /** Renews the leases of every task the volunteer holds, never past a task's time limit. */
  public synchronized void heartbeat(String id) {
    Volunteer v = seen(id);
    if (v == null) {
      return;
    }
    long now = clock.getAsLong();
    long leaseMillis = policy.lease(v.profile).toMillis();
    for (Lease l : v.leases.values()) {
      l.renew(now, leaseMillis);
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
        if (clock.getAsLong() >= l.limitAt) {
          overLimit(l, out); // the tick had not come round yet: too late all the same
        } else {
          accept(v, l, r, out);
        }
      }
      enqueueWaiting(v);
      pump(out);
    }
    out.flush();
  }

  /** A result on a current lease: the task is done, or failed on this volunteer. */
  private void accept(Volunteer v, Lease l, Result r, Outbox out) {
    JobRun run = l.run;
    switch (r.status()) {
      case OK -> {
        if (r.stdout().length > limits.maxOutputBytes()) {
          failedOn(
              l,
              "returned "
                  + r.stdout().length
                  + " bytes of output, more than SURGE_MAX_OUTPUT_BYTES="
                  + limits.maxOutputBytes(),
              OptionalInt.empty(),
              "",
              out);
          return;
        }
        v.allowance.earned();
        run.done.set(l.index);
        run.doneCount++;
        completedTotal++;
        events.taskDone(run.job.id(), l.index, r.stdout(), r.millis());
        if (run.doneCount == run.job.taskCount()) {
          run.phase = JobProgress.Phase.MERGING;
          events.jobCompleted(run.job.id());
        }
      }
      case EXIT ->
          failedOn(
              l,
              "exited with code " + r.exitCode(),
              OptionalInt.of(r.exitCode()),
              VolunteerText.tail(r.stderr(), TaskFailures.STDERR_TAIL),
              out);
      case TRAP ->
          failedOn(
              l,
              "trapped",
              OptionalInt.of(r.exitCode()),
              VolunteerText.tail(r.stderr(), TaskFailures.STDERR_TAIL),
              out);
    }
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
          if (l.limitAt <= now || l.expiresAt < now) {
            if (expired == null) {
              expired = new ArrayList<>();
            }
            expired.add(l);
          }
        }
        if (expired != null) {
          for (Lease l : expired) {
            if (v.leases.get(l.id) != l) {
              continue; // an earlier one ended its job, and with it this lease
            }
            var ref = new TaskRef(l.run.job.id(), l.index);
            if (l.limitAt <= now) {
              // Whatever its heartbeats said: the limit counts from the lease (PROTOCOL.md).
              out.cancel(v, ref, "task time limit");
              unlease(l);
              overLimit(l, out);
            } else {
              out.cancel(v, ref, "lease expired");
              v.allowance.lost();
              lose(l, "its lease expired", out);
            }
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
        queue.queued(),
        leasedCount,
        completedTotal,
        failedTotal,
        ignoredTotal,
        queue.requeuedTotal(),
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

  /**
   * Hands queued tasks to waiting volunteers, round robin, best job first, each within its
   * allowance and never a task it has failed.
   */
  private void pump(Outbox out) {
    long now = clock.getAsLong();
    long nanos = System.nanoTime();
    int rounds = waiting.size();
    while (!waiting.isEmpty() && !queue.isEmpty() && rounds-- > 0) {
      Volunteer v = waiting.pollFirst();
      v.waiting = false;
      int held = v.leases.size();
      int grant = Math.min(policy.grant(v.profile, v.demand, held), v.allowance.room(held));
      if (grant <= 0) {
        continue; // holds enough; re-enters the line when it hands results back
      }
      long expires = now + policy.lease(v.profile).toMillis();
      int given = 0;
      while (given < grant && !queue.isEmpty()) {
        RunQueue.Taken taken = queue.take(v.id);
        if (taken == null) {
          break; // only tasks it has failed are left
        }
        given++;
        JobRun run = taken.run();
        int index = taken.index();
        long limitAt = now + run.timeoutMillis;
        var lease = new Lease(nextLease++, run, index, v, expires, limitAt);
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
                run.job.id(),
                index,
                lease.id,
                p.kernel(),
                p.args(),
                p.env(),
                p.stdin(),
                lease.expiresAt,
                run.timeoutMillis));
      }
      if (v.demand > 0) {
        enqueueWaiting(v);
        if (given == grant) {
          rounds++; // it may take more at once; one who got less waits for new work
        }
      }
    }
  }

  /** Ends a lease; once only, since ending one job may end other leases of the same sweep. */
  private void unlease(Lease l) {
    if (l.volunteer.leases.remove(l.id) == l) {
      l.run.leased.remove(l.index);
      leasedCount--;
    }
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
    queue.requeue(run, l.index, System.nanoTime());
  }

  /**
   * A task failed on one volunteer (its exit, trap, time limit or oversized output; the lease is
   * already ended). The job fails only once enough distinct volunteers agree (TaskFailures); until
   * then the task goes back to the front of its queue for another volunteer.
   */
  private void failedOn(Lease l, String what, OptionalInt exitCode, String stderrTail, Outbox out) {
    failedTotal++;
    Volunteer v = l.volunteer;
    v.allowance.lost();
    JobRun run = l.run;
    if (run.ended) {
      return;
    }
    TaskFailures failures = run.failures(l.index);
    failures.add(new TaskFailures.Report(v.id, what, exitCode, stderrTail));
    LOG.fine(() -> "task " + l.index + " of " + run.job.id() + " failed on " + v.id + ": " + what);
    if (failures.decisive(limits.maxFailures(), volunteers.keySet())) {
      fail(run, out, failures.failure(l.index, limits.maxFailures()));
      return;
    }
    queue.requeue(run, l.index, System.nanoTime());
  }

  private void overLimit(Lease l, Outbox out) {
    String what = "ran past its time limit of " + l.run.timeoutMillis + " ms";
    failedOn(l, what, OptionalInt.empty(), "", out);
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
    queue.drop(run);
    for (Lease l : List.copyOf(run.leased.values())) {
      unlease(l);
      out.cancel(l.volunteer, new TaskRef(run.job.id(), l.index), reason);
      enqueueWaiting(l.volunteer);
    }
  }
}
