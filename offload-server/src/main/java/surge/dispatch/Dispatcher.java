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
import surge.policies.CredibilityVerification;
import surge.policies.DispatchPolicy;
import surge.policies.VerificationPolicy;
import surge.policies.VolunteerProfile;

/**
 * Matches queued tasks with volunteers' demand, and keeps leases.
 *
 * <p>All state lives in memory under one lock: a dispatch decision costs microseconds and never
 * waits for the database. What must survive a crash (results, job outcomes) goes to {@link
 * JobEvents} in order, and the journal writes it in batches. Leases are deliberately not durable:
 * after a restart every volunteer reconnects, so every task without a stored result is simply
 * queued again.
 *
 * <p>Its parts: the local run queue ({@link RunQueue}), the lease table ({@link Leases}), the
 * {@link Outbox} (what volunteers are told is collected while the lock is held and sent after it is
 * released) and the claiming hook ({@link TaskClaims}: where runnable tasks come from). It speaks
 * its own events ({@link VolunteerEvent}, {@link TaskOutcome}...), never the wire format: the
 * volunteer boundary translates (docs/dispatch.md).
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
  private final Verifier verifier;
  private final Checkpoints checkpoints;

  /** Tasks of jobs' tails copied onto a second session (a policy's duplicate). */
  private final TailCopies copies = new TailCopies();

  /** Whether the policy ever copies tail tasks (overrides duplicate): else no tail pass. */
  private final boolean copiesTail;

  /** Whether the policy sizes grants knowing the session: else no SessionView is built. */
  private final boolean grantsBySession;

  /** The policy's choice among queued tasks; null when it takes the head (candidates() is 1). */
  private final RunQueue.Choice choice;

  /** Queued tasks' progress, from the checkpoints kept (a test may set another). */
  private TaskProgress progress =
      new TaskProgress() {
        @Override
        public boolean anyResumable(String job) {
          JobRun run = jobs.get(job);
          return run != null && run.hasCheckpoints();
        }

        @Override
        public double remainingFraction(String job, int index) {
          JobRun run = jobs.get(job);
          double done = run == null ? 0 : run.checkpointProgress(index).orElse(0);
          return Math.max(0.001, 1 - done);
        }
      };

  private final Map<String, JobRun> jobs = new HashMap<>();
  private final RunQueue queue = new RunQueue();
  private final Leases leases = new Leases();
  private TaskClaims claims = TaskClaims.LOCAL;
  private final Map<String, Volunteer> volunteers = new LinkedHashMap<>();
  private final ArrayDeque<Volunteer> waiting = new ArrayDeque<>();
  private long completedTotal;
  private long failedTotal;
  private long ignoredTotal;

  /**
   * Since the server started: results, server runs, spot checks, disagreements, blacklisted,
   * recomputed.
   */
  private final long[] totals = new long[6];

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
    this(
        policy,
        events,
        clock,
        heartbeatMillis,
        maxAttempts,
        dispatchLatencyNanos,
        deadlineMissed,
        limits,
        new CredibilityVerification(0.2, VerificationPolicy.Blacklist.EVERYWHERE),
        Standings.NONE,
        Validator.NONE);
  }

  /**
   * @param verification how far volunteers are believed (docs/verification.md)
   * @param standings where volunteers' records are kept
   * @param validator runs jobs' validator kernels ({@code compare: kernel:SHA})
   */
  public Dispatcher(
      DispatchPolicy policy,
      JobEvents events,
      LongSupplier clock,
      long heartbeatMillis,
      int maxAttempts,
      LongConsumer dispatchLatencyNanos,
      DeadlineMissed deadlineMissed,
      DispatchLimits limits,
      VerificationPolicy verification,
      Standings standings,
      Validator validator) {
    this.verifier = new Verifier(verification, standings, validator);
    this.checkpoints =
        new Checkpoints(
            limits.maxCheckpointBytes(), limits.checkpoints() ? limits.checkpointMemory() : 0);
    this.deadlineMissed = deadlineMissed;
    this.limits = limits;
    this.policy = policy;
    this.events = events;
    this.clock = clock;
    this.heartbeatMillis = heartbeatMillis;
    this.maxAttempts = maxAttempts;
    this.dispatchLatencyNanos = dispatchLatencyNanos;
    this.lastTick = clock.getAsLong();
    this.copiesTail = PolicyChoice.copiesTail(policy);
    this.grantsBySession = PolicyChoice.grantsBySession(policy);
    this.choice =
        policy.candidates() > 1
            ? new PolicyChoice(
                this::choiceFor, run -> progress.anyResumable(run.job.id()), policy.candidates())
            : null;
  }

  /** Where queued tasks' progress comes from (checkpoints); {@link TaskProgress#NONE} until set. */
  public synchronized void progressFrom(TaskProgress progress) {
    this.progress = progress;
  }

  /**
   * Where runnable tasks come from ({@link TaskClaims#LOCAL} until set): set once, before the first
   * job is submitted.
   */
  public synchronized void claimsFrom(TaskClaims claims) {
    this.claims = claims;
  }

  /**
   * Tasks of a job held here that the claiming hook claimed for this instance: those neither queued
   * nor leased here join the back of the job's queue and go to waiting volunteers. Hand in only
   * tasks newly claimed: a task waiting for its validator kernel is neither queued nor leased, yet
   * held here. A newly claimed task this dispatcher counts as done had its result refused by the
   * shared state (this instance's claim lapsed before the result was stored, and the task came back
   * to it): it runs again, and a job that had gone to merging here runs again.
   *
   * @return false if no such job is dispatched here (or it ended): submit it first
   */
  public boolean claimed(String jobId, BitSet tasks) {
    var out = new Outbox();
    synchronized (this) {
      JobRun run = jobs.get(jobId);
      if (run == null || run.ended) {
        return false;
      }
      BitSet held = new BitSet();
      run.queue.forEach(held::set);
      for (Lease l : run.leased.values()) {
        held.set(l.index);
      }
      long nanos = System.nanoTime();
      for (int i = tasks.nextSetBit(0);
          i >= 0 && i < run.job.taskCount();
          i = tasks.nextSetBit(i + 1)) {
        if (held.get(i)) {
          continue;
        }
        if (run.done.get(i)) {
          run.done.clear(i);
          run.doneCount--;
          queue.requeueLast(run, i, nanos);
        } else {
          queue.offer(run, i, nanos);
        }
      }
      if (run.phase == JobProgress.Phase.MERGING && run.doneCount < run.job.taskCount()) {
        run.phase = run.startedAt == null ? JobProgress.Phase.QUEUED : JobProgress.Phase.RUNNING;
      }
      pump(out);
    }
    flush(out);
    return true;
  }

  /**
   * A job held here stops here without an end of its own: it ended elsewhere (another instance
   * merged, failed or cancelled it, and wrote that end), or this instance's claims on it lapsed.
   * The volunteers running its tasks are told, and it is forgotten. With {@code report}, the
   * verification report of what was done here is journalled (the shared state adds up every
   * instance's part), unless it was already, at the job's end or completion here.
   *
   * @return false if no such job is held here
   */
  public boolean release(String jobId, String reason, boolean report) {
    var out = new Outbox();
    synchronized (this) {
      JobRun run = jobs.remove(jobId);
      if (run == null) {
        return false;
      }
      if (!run.ended) {
        if (report && run.phase != JobProgress.Phase.MERGING) {
          events.verification(jobId, run.report());
        }
        end(run, out, reason);
      }
    }
    flush(out);
    return true;
  }

  /**
   * Takes queued tasks (none leased) off this dispatcher until {@code keep} remain, the worst job's
   * last first, for the claiming hook to hand back to the shared pool: an instance left with no
   * volunteers (they all reconnected elsewhere) must not sit on claimed tasks. The hook is told
   * nothing; the caller hands them back. By job, the indices taken.
   */
  public synchronized Map<String, BitSet> unqueue(long keep) {
    Map<String, BitSet> taken = new LinkedHashMap<>();
    List<JobRun> worstFirst = new ArrayList<>(jobs.values());
    worstFirst.sort(JobRun.ORDER.reversed());
    for (JobRun run : worstFirst) {
      if (queue.queued() <= keep) {
        break;
      }
      if (run.ended || run.queue.size() == 0) {
        continue;
      }
      int[] queued = new int[run.queue.size()];
      int[] n = {0};
      run.queue.forEach(i -> queued[n[0]++] = i);
      BitSet out = new BitSet();
      for (int k = queued.length - 1; k >= 0 && queue.queued() > keep; k--) {
        queue.remove(run, queued[k]);
        out.set(queued[k]);
      }
      taken.put(run.job.id(), out);
    }
    return taken;
  }

  /** The dispatch policy in force. */
  public DispatchPolicy policy() {
    return policy;
  }

  /** Tail copies since the server started: made, settled by the copy, cancelled. */
  public synchronized TailStats tailStats() {
    return new TailStats(copies.made, copies.won, copies.cancelled);
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
      if (claims != TaskClaims.LOCAL) {
        BitSet pending = new BitSet(job.taskCount());
        pending.set(0, job.taskCount());
        pending.andNot(run.done);
        BitSet local = claims.onSubmit(job, (BitSet) pending.clone());
        run.queue.clear();
        local.and(pending);
        local.stream().forEach(run.queue::addLast);
      }
      jobs.put(job.id(), run);
      queue.add(run);
      if (run.doneCount == job.taskCount()) {
        run.phase = JobProgress.Phase.MERGING;
        events.jobCompleted(job.id());
      } else {
        pump(out);
      }
    }
    flush(out);
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
      events.verification(jobId, run.report());
      events.jobCancelled(jobId, reason);
    }
    flush(out);
    return true;
  }

  /** The journal has stored the job's end (or its merged result): the dispatcher can forget it. */
  public synchronized void forget(String jobId) {
    jobs.remove(jobId);
  }

  /**
   * As {@link #forget(String)}, for the journal and merger, which know a job by its sequence; a job
   * still running here is released ({@link #release}).
   */
  public void forgetSequence(long sequence) {
    String id = null;
    synchronized (this) {
      for (JobRun run : jobs.values()) {
        if (run.job.sequence() == sequence) {
          id = run.job.id();
        }
      }
    }
    if (id != null) {
      // A job merged here while other instances ran part of it was still running here: its
      // report of the part verified here goes to the journal (one instance: already reported).
      release(id, "it ended", true);
    }
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
            Optional.ofNullable(run.failure),
            run.report()));
  }

  // ---- volunteers ----

  /** Registers an untrusted volunteer whose identity is its session. */
  public SessionTerms connect(
      String id, VolunteerChannel channel, VolunteerProfile profile, int maxMessageBytes) {
    return connect(id, channel, profile, maxMessageBytes, new Standing(id, false));
  }

  /**
   * Registers a volunteer after a valid hello and returns what to tell it in the welcome.
   *
   * @param standing its identity's record (the server's store loads it before the call)
   */
  public SessionTerms connect(
      String id,
      VolunteerChannel channel,
      VolunteerProfile profile,
      int maxMessageBytes,
      Standing standing) {
    synchronized (this) {
      if (volunteers.containsKey(id)) {
        throw new IllegalStateException("volunteer " + id + " is already connected");
      }
      // What its claim would let it hold is only the ceiling; it starts small (Allowance).
      int claimed = Math.min(DispatchPolicy.holdLimit(policy, profile), limits.maxVolunteerTasks());
      var allowance = new Allowance(limits.newVolunteerTasks(), claimed);
      volunteers.put(
          id, new Volunteer(id, channel, profile, allowance, clock.getAsLong(), standing));
    }
    // A checkpoint must fit in one message, base64 and all.
    int checkpointBytes =
        Math.min(limits.maxCheckpointBytes(), Math.max(0, (maxMessageBytes - 1024) / 4 * 3));
    boolean checkpointing = limits.checkpoints() && checkpointBytes > 0;
    return new SessionTerms(
        id,
        heartbeatMillis,
        policy.lease(profile).toMillis(),
        policy.batch(profile),
        policy.prefetchBelow(profile),
        maxMessageBytes,
        checkpointing ? limits.checkpointMillis() : 0,
        checkpointing ? checkpointBytes : 0,
        idleHeartbeatMillis());
  }

  /**
   * The heartbeat interval of a volunteer that holds no task: {@value #IDLE_HEARTBEATS} of its
   * heartbeat interval. A volunteer without a lease has nothing to renew; its beats only say it is
   * still there, and at the busy interval they were most of what an instance full of waiting
   * visitors did (docs/benchmarks/connections.md). Runtimes that ignore it beat at the busy
   * interval, which is still in time.
   */
  public long idleHeartbeatMillis() {
    return IDLE_HEARTBEATS * heartbeatMillis;
  }

  /** Idle heartbeat interval, in heartbeat intervals (60 s at SURGE_HEARTBEAT's 5 s). */
  public static final int IDLE_HEARTBEATS = 12;

  /**
   * Whether the volunteer has been silent too long: three heartbeat intervals, counted for one that
   * holds no task at the idle interval, and for one that holds tasks from its last message or from
   * when it took its first task, whichever is later (it was beating at the idle interval until
   * then).
   */
  private boolean silent(Volunteer v, long now) {
    if (v.leases.isEmpty()) {
      return now - v.lastSeen > 3 * idleHeartbeatMillis();
    }
    return now - Math.max(v.lastSeen, v.busySince) > 3 * heartbeatMillis;
  }

  /**
   * A running task's checkpoint (docs/checkpoints.md). Kept as its task's latest only from the
   * current holder of a normal lease (never a spot check's), at most one per lease per half
   * interval, within the size and memory limits; anything else is dropped silently (counted), as a
   * checkpoint is only ever an optimisation.
   */
  public synchronized void checkpoint(String id, CheckpointOffer c) {
    Volunteer v = seen(id);
    Lease l = v == null ? null : Leases.of(v, c.lease());
    long now = clock.getAsLong();
    if (!limits.checkpoints()
        || l == null
        || !l.run.job.id().equals(c.job())
        || l.index != c.index()
        || l.spot
        || l.run.ended
        || l.run.done.get(l.index)
        || !l.run.eligible(v)
        || now - l.lastCheckpointAt < limits.checkpointMillis() / 2) {
      checkpoints.dropped++;
      return;
    }
    l.lastCheckpointAt = now;
    checkpoints.put(
        new Checkpoints.Saved(
            l.run,
            l.index,
            c.data(),
            c.progress(),
            Checkpoints.authors(l.resumedFrom, v.standing)));
  }

  /**
   * The progress (0..1) of the checkpoint kept for task {@code index} of {@code jobId}, if any: a
   * task handed out now resumes from it (see {@link JobRun#checkpointProgress(int)}).
   */
  synchronized java.util.OptionalDouble checkpointProgress(String jobId, int index) {
    JobRun run = jobs.get(jobId);
    return run == null ? java.util.OptionalDouble.empty() : run.checkpointProgress(index);
  }

  /** Checkpoints received, resumed and dropped since the start; kept now, and their bytes. */
  public synchronized CheckpointStats checkpointStats() {
    return new CheckpointStats(
        checkpoints.received,
        checkpoints.resumed,
        checkpoints.dropped,
        checkpoints.count(),
        checkpoints.bytes());
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
    flush(out);
  }

  /** Renews the leases of every task the volunteer holds, never past a task's time limit. */
  public synchronized void heartbeat(String id) {
    Volunteer v = seen(id);
    if (v == null) {
      return;
    }
    long now = clock.getAsLong();
    Leases.renew(v, now, policy.lease(v.profile).toMillis());
  }

  /** Results from a volunteer; those that do not match a current lease are ignored. */
  public void results(String id, List<TaskOutcome> results) {
    var out = new Outbox();
    synchronized (this) {
      Volunteer v = seen(id);
      if (v == null) {
        ignoredTotal += results.size();
        return;
      }
      for (TaskOutcome r : results) {
        Lease l = Leases.of(v, r.lease());
        if (l == null || !l.run.job.id().equals(r.job()) || l.index != r.index() || l.run.ended) {
          ignoredTotal++;
          continue;
        }
        boolean copy = copies.isCopy(l);
        unlease(l);
        if (clock.getAsLong() >= l.limitAt) {
          overLimit(l, out); // the tick had not come round yet: too late all the same
        } else {
          accept(v, l, r, out);
          if (copy && l.run.done.get(l.index) && copies.stillOut(l.run, l.index)) {
            copies.won++;
          }
        }
        settleCopies(l.run, l.index, out);
      }
      enqueueWaiting(v);
      pump(out);
    }
    flush(out);
  }

  /** A result on a current lease: the task is done (once verified), or failed on this volunteer. */
  private void accept(Volunteer v, Lease l, TaskOutcome r, Outbox out) {
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
        long now = clock.getAsLong();
        run.speed.add(v.stats.finished(run, now - PolicyViews.leasedAt(l), r.millis()));
        run.results++;
        verifier.results++;
        if (l.spot || run.done.get(l.index)) {
          // A spot check, or a task the server computed while this volunteer held it.
          JobRun.Known known = run.known(l.index);
          if (known != null) {
            judge(v.standing, run, l.index, known.output(), r.stdout(), out);
          }
          return;
        }
        // Answered: a replica, if one is wanted, starts from the beginning on another identity.
        checkpoints.drop(run, l.index);
        vote(run, l.index, new Votes.Vote(v.standing, r.stdout(), r.millis(), l.resumedFrom), out);
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
  public void release(String id, List<LeasedTask> tasks, ReleaseCause reason) {
    var out = new Outbox();
    synchronized (this) {
      Volunteer v = seen(id);
      if (v == null) {
        return;
      }
      if (reason == ReleaseCause.CLOSING) {
        v.stats.leaving = true;
      }
      for (LeasedTask t : tasks) {
        Lease l = Leases.of(v, t.lease());
        if (l != null && l.run.job.id().equals(t.job()) && l.index == t.index()) {
          // A visitor leaving (paused, closing) says nothing against the task: web visitors
          // leave all the time, and counting it would let churn, or one volunteer taking and
          // releasing a task in a loop, fail a job (SURGE_MAX_ATTEMPTS). Crashes, timeouts and
          // kernels that cannot load still count.
          lose(
              l,
              "released by a volunteer (" + reason.text + ")",
              reason.left() ? Loss.NOT_COUNTED : Loss.RELEASED,
              out);
        }
      }
      enqueueWaiting(v);
      pump(out);
    }
    flush(out);
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
      policy.departed(PolicyViews.session(v, v.lastRun, clock.getAsLong()), v.stats.leaving);
      for (Lease l : List.copyOf(v.leases.values())) {
        lose(l, "its volunteer disconnected", Loss.GONE, out);
      }
      pump(out);
    }
    flush(out);
  }

  /**
   * Housekeeping, called a few times a second: expired leases go back to the queue, silent
   * volunteers are closed, jobs past their deadline fail.
   */
  public void tick() {
    var out = new Outbox();
    Map<Volunteer, Long> silent = new LinkedHashMap<>();
    synchronized (this) {
      long now = clock.getAsLong();
      lastTick = now;
      for (Volunteer v : volunteers.values()) {
        if (silent(v, now)) {
          silent.put(v, 3 * (v.leases.isEmpty() ? idleHeartbeatMillis() : heartbeatMillis));
          continue;
        }
        List<Lease> expired = Leases.due(v, now);
        if (expired != null) {
          for (Lease l : expired) {
            if (!Leases.current(l)) {
              continue; // an earlier one ended its job, and with it this lease
            }
            var ref = new TaskKey(l.run.job.id(), l.index);
            if (Leases.overLimit(l, now)) {
              // Whatever its heartbeats said: the limit counts from the lease (PROTOCOL.md).
              out.cancel(v, ref, "task time limit");
              unlease(l);
              overLimit(l, out);
            } else {
              out.cancel(v, ref, "lease expired");
              v.allowance.lost();
              lose(l, "its lease expired", Loss.GONE, out);
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
      if (copiesTail) {
        copyTail(now, out);
      }
      lowOnWork(out, true);
    }
    flush(out);
    for (var e : silent.entrySet()) {
      Volunteer v = e.getKey();
      v.channel.close(4408, "no heartbeat within " + e.getValue() + " ms");
      disconnect(v.id);
    }
  }

  /**
   * The server computed task {@code index} of {@code jobId} itself: a known answer. It is accepted
   * (unless a volunteer's was already), pending volunteer answers are judged against it, and it
   * becomes a spot check for other volunteers.
   */
  public void serverResult(String jobId, int index, byte[] stdout, double millis) {
    var out = new Outbox();
    synchronized (this) {
      JobRun run = jobs.get(jobId);
      if (run == null || run.ended || run.phase == JobProgress.Phase.MERGING) {
        return;
      }
      run.serverRuns++;
      verifier.serverRuns++;
      run.know(index, stdout);
      if (!run.done.get(index)) {
        queue.remove(run, index);
        Votes pending = run.dropVotes(index);
        JobRun.Known known = run.known(index);
        if (pending != null) {
          for (Votes.Vote v : pending.all) {
            if (known != null) {
              known.checked().add(v.standing().identity());
            }
            judge(v.standing(), run, index, stdout, v.output(), out);
          }
        }
        if (!run.ended) {
          acceptTask(run, index, stdout, millis, new String[0]);
        }
      }
      settleCopies(run, index, out);
      pump(out);
    }
    flush(out);
  }

  /** The standings of the volunteers connected now, one per identity. */
  public synchronized List<Standing> connectedStandings() {
    Map<String, Standing> byIdentity = new LinkedHashMap<>();
    for (Volunteer v : volunteers.values()) {
      byIdentity.putIfAbsent(v.identity, v.standing);
    }
    return List.copyOf(byIdentity.values());
  }

  /** Verification counts since the server started, for /metrics. */
  public synchronized VerificationReport totals() {
    return verifier.totals(completedTotal);
  }

  /** The rules volunteers are believed by. */
  public VerificationPolicy verification() {
    return verifier.policy();
  }

  public synchronized DispatchStats stats() {
    return new DispatchStats(
        volunteers.size(),
        (int) jobs.values().stream().filter(j -> !j.ended).count(),
        queue.queued(),
        leases.held(),
        completedTotal,
        failedTotal,
        ignoredTotal,
        queue.requeuedTotal(),
        lastTick);
  }

  // ---- verification, with the lock held: Verifier decides, this carries it out ----

  /**
   * A volunteer's answer for a task not yet accepted. It is accepted once enough agree (the mode's
   * quorum, or credibility {@code 1 - target error}); otherwise the task is wanted once more, from
   * another identity, at the back of the queue.
   */
  private void vote(JobRun run, int index, Votes.Vote vote, Outbox out) {
    boolean credible = verifier.credibleAlone(run, index, vote);
    if (run.verify.acceptsFirst() || (credible && !verifier.auditNow(verifier.weakest(vote)))) {
      // The first answer counts, or (the common case once volunteers have a history, and always
      // for trusted machines) one answer is credible enough alone.
      acceptTask(run, index, vote.output(), vote.millis(), Verifier.untrusted(List.of(vote)));
      if (vote.trusted()) {
        run.know(index, vote.output()); // a trusted machine's answer: a spot check for others
      }
      return;
    }
    Votes votes = run.votes(index);
    votes.add(vote);
    votes.audited |= credible;
    if (!run.verify.compare().synchronous()) {
      // The task waits, neither queued nor leased, until the validator has spoken.
      String job = run.job.id();
      int version = votes.all.size();
      List<byte[]> outputs = votes.all.stream().map(Votes.Vote::output).toList();
      verifier.ask(run, index, outputs, verdict -> judged(job, index, version, verdict));
      return;
    }
    carryOut(
        run, index, verifier.decide(run, index, votes, votes.groups(run.verify.compare())), out);
  }

  /** The validator kernel's word on a task's candidates: decided as any comparison is. */
  private void judged(String job, int index, int version, Validator.Verdict verdict) {
    var out = new Outbox();
    synchronized (this) {
      JobRun run = jobs.get(job);
      if (run == null
          || run.ended
          || run.phase == JobProgress.Phase.MERGING
          || run.done.get(index)) {
        return;
      }
      Votes votes = run.allVotes().get(index);
      String wrong = votes == null ? null : Verifier.invalid(verdict, votes.all.size());
      if (votes == null || votes.all.size() != version) {
        // Backtracking dropped a candidate meanwhile: the task is wanted again.
        queue.requeueLast(run, index, System.nanoTime());
      } else if (wrong != null) {
        fail(
            run,
            out,
            new JobFailure(
                "task " + index + ": the validator kernel (compare) failed: " + wrong,
                OptionalInt.of(index),
                OptionalInt.empty(),
                Optional.empty()));
      } else {
        var groups = Votes.groups(votes.all, verdict.labels());
        carryOut(run, index, verifier.decide(run, index, votes, groups), out);
      }
      settleCopies(run, index, out);
      pump(out);
    }
    flush(out);
  }

  private void carryOut(JobRun run, int index, Verifier.Decision decision, Outbox out) {
    if (decision instanceof Verifier.Decision.Accept accept) {
      run.dropVotes(index);
      for (Standing s : accept.caught()) {
        caught(s, run, "its answer differed from a trusted volunteer's", out);
      }
      for (Standing s : accept.doubted()) {
        backtrack(s, null);
      }
      if (!run.ended && !run.done.get(index)) {
        var winner = accept.winner();
        String[] from = Verifier.untrusted(winner.members());
        acceptTask(run, index, winner.output(), winner.millis(), from);
        if (winner.members().stream().anyMatch(Votes.Vote::trusted)) {
          run.know(index, winner.output());
        }
      }
    } else if (decision instanceof Verifier.Decision.Fail f) {
      fail(run, out, f.failure());
    } else if (!copies.stillOut(run, index)) {
      // (A tail copy still out, of another identity, is the next answer already.)
      queue.requeueLast(run, index, System.nanoTime());
    }
  }

  /** Records a task's accepted result; the job goes to merging with its last. */
  private void acceptTask(JobRun run, int index, byte[] output, double millis, String[] from) {
    run.done.set(index);
    run.doneCount++;
    checkpoints.drop(run, index);
    completedTotal++;
    run.acceptedFrom(index, from);
    // The hook hears first: the journal's writer may store the result before this method returns.
    claims.done(run.job.id(), index);
    events.taskDone(run.job.id(), index, output, millis);
    if (run.doneCount == run.job.taskCount()) {
      run.phase = JobProgress.Phase.MERGING;
      events.verification(run.job.id(), run.report());
      events.jobCompleted(run.job.id());
    }
  }

  /** A volunteer's answer for a task whose answer is known: it passes, or it is caught. */
  private void judge(Standing s, JobRun run, int index, byte[] known, byte[] answer, Outbox out) {
    if (!run.verify.compare().synchronous()) {
      String job = run.job.id();
      verifier.ask(run, index, List.of(known, answer), verdict -> spotJudged(job, s, verdict));
      return;
    }
    spotChecked(s, run, run.verify.compare().agree(known, answer), out);
  }

  /** The validator kernel's word on a spot check. */
  private void spotJudged(String job, Standing s, Validator.Verdict verdict) {
    var out = new Outbox();
    synchronized (this) {
      JobRun run = jobs.get(job);
      if (run == null || run.ended) {
        return;
      }
      if (Verifier.invalid(verdict, 2) != null) {
        LOG.warning(() -> "the validator of " + job + " could not judge a spot check: " + verdict);
        return;
      }
      spotChecked(s, run, verdict.labels()[1] == verdict.labels()[0], out);
      pump(out);
    }
    flush(out);
  }

  private void spotChecked(Standing s, JobRun run, boolean agrees, Outbox out) {
    if (!verifier.spotChecked(s, run, agrees)) {
      caught(s, run, "its answer differed from a known right answer (spot check)", out);
    }
  }

  /**
   * {@code s} returned a wrong answer: it is barred (everywhere, or from this job's owner, as the
   * policy says), its connections are closed, and every result of its that is not merged yet is
   * thrown away and the task done again.
   */
  private void caught(Standing s, JobRun where, String why, Outbox out) {
    boolean everywhere = verifier.policy().blacklist() == VerificationPolicy.Blacklist.EVERYWHERE;
    String owner = where.job.owner();
    if (!s.caught(why, owner, everywhere)) {
      return;
    }
    where.blacklisted++;
    verifier.blacklisted++;
    LOG.warning(
        () ->
            "volunteer "
                + s.identity()
                + " blacklisted while working on "
                + where.job.id()
                + ": "
                + why);
    verifier.standings().caught(s, where.job.id(), why);
    checkpoints.dropAuthor(s.identity()); // its checkpoints are as suspect as its results
    for (Volunteer v : List.copyOf(volunteers.values())) {
      if (v.standing == s) {
        volunteers.remove(v.id);
        waiting.remove(v);
        for (Lease l : List.copyOf(v.leases.values())) {
          lose(l, "its volunteer was blacklisted", Loss.NOT_COUNTED, out);
        }
        out.close(v, "results failed verification");
      }
    }
    backtrack(s, everywhere ? null : owner);
  }

  /**
   * Throws away every result of {@code s} not merged yet (in the jobs of {@code owner}, or all when
   * null): pending votes are dropped, accepted results deleted and their tasks queued again. For a
   * caught volunteer, and for one whose answer lost to a credible one (a liar that has earned trust
   * may have had other lies accepted alone; an honest one only costs the recomputation).
   */
  private void backtrack(Standing s, String owner) {
    for (JobRun run : List.copyOf(jobs.values())) {
      if (run.ended
          || run.phase == JobProgress.Phase.MERGING
          || (owner != null && !run.job.owner().equals(owner))) {
        continue;
      }
      for (Votes votes : run.allVotes().values()) {
        votes.drop(s.identity());
      }
      for (int index : run.takeAcceptedFrom(s.identity())) {
        run.done.clear(index);
        run.doneCount--;
        completedTotal--;
        run.recomputed++;
        verifier.recomputed++;
        run.forgetKnown(index);
        events.taskUndone(run.job.id(), index);
        queue.requeue(run, index, System.nanoTime());
      }
    }
  }

  /**
   * A known answer to give {@code v} as a spot check now, from the job it last worked on, or -1: as
   * often as the policy says for its record, in adaptive jobs only.
   */
  private int spotCheck(Volunteer v) {
    JobRun run = v.lastRun;
    if (run == null
        || run.ended
        || run.phase == JobProgress.Phase.MERGING
        || run.verify.mode() != Verify.Mode.ADAPTIVE
        || !run.eligible(v)
        || !verifier.spotCheckNow(v)) {
      return -1;
    }
    return run.spotCheckFor(v.identity);
  }

  private java.util.Set<String> connectedIdentities() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (Volunteer v : volunteers.values()) {
      ids.add(v.identity);
    }
    return ids;
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
    // A volunteer blacklisted a moment ago is no longer connected as far as dispatch goes.
    if (v.demand > 0 && !v.waiting && volunteers.get(v.id) == v) {
      v.waiting = true;
      waiting.addLast(v);
    }
  }

  /**
   * Hands queued tasks to waiting volunteers, round robin, best job first, each within its
   * allowance and never a task it has failed. The policy sizes each grant knowing the session, and
   * may choose among the first tasks it could take.
   */
  private void pump(Outbox out) {
    long now = clock.getAsLong();
    long nanos = System.nanoTime();
    int rounds = waiting.size();
    while (!waiting.isEmpty() && !queue.isEmpty() && rounds-- > 0) {
      Volunteer v = waiting.pollFirst();
      v.waiting = false;
      int held = v.leases.size();
      int asked;
      if (grantsBySession) {
        JobRun next = v.lastRun != null && !v.lastRun.queue.isEmpty() ? v.lastRun : queue.first();
        asked = policy.grant(PolicyViews.session(v, next, now), v.demand);
      } else {
        asked = policy.grant(v.profile, v.demand, held);
      }
      int grant = Math.min(asked, v.allowance.room(held));
      if (grant <= 0) {
        continue; // holds enough; re-enters the line when it hands results back
      }
      long expires = now + policy.lease(v.profile).toMillis();
      int given = 0;
      while (given < grant && !queue.isEmpty()) {
        JobRun run;
        int index;
        int spot = spotCheck(v);
        if (spot >= 0) {
          run = v.lastRun;
          index = spot;
        } else {
          choosing = v;
          choosingAt = now;
          RunQueue.Taken taken = choice == null ? queue.take(v) : queue.take(v, choice);
          choosing = null;
          if (taken == null) {
            break; // only tasks it may not take are left
          }
          run = taken.run();
          index = taken.index();
          v.lastRun = run;
        }
        given++;
        if (spot < 0) {
          dispatchLatencyNanos.accept(nanos - run.queuedAt(index));
        }
        hand(v, run, index, spot >= 0, true, now, expires, out);
      }
      if (v.demand > 0) {
        enqueueWaiting(v);
        if (given == grant) {
          rounds++; // it may take more at once; one who got less waits for new work
        }
      }
    }
    lowOnWork(out, false);
  }

  /** The volunteer whose task the policy is choosing now (pump), and when. */
  private Volunteer choosing;

  private long choosingAt;

  /** Shows the policy {@code n} tasks of {@code run} that {@link #choosing} may take. */
  private int choiceFor(JobRun run, int[] indices, int n) {
    List<surge.policies.TaskView> tasks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      tasks.add(PolicyViews.task(run, indices[i], progress));
    }
    return policy.choose(PolicyViews.session(choosing, run, choosingAt), tasks);
  }

  /**
   * Leases task {@code index} of {@code run} to {@code v} and sends it, resuming from its latest
   * checkpoint when it has one and {@code mayResume}.
   */
  private Lease hand(
      Volunteer v,
      JobRun run,
      int index,
      boolean spot,
      boolean mayResume,
      long now,
      long expires,
      Outbox out) {
    long limitAt = now + run.timeoutMillis;
    if (v.leases.isEmpty()) {
      v.busySince = now;
    }
    var lease = leases.grant(v, run, index, expires, limitAt, spot);
    v.demand--;
    if (run.startedAt == null) {
      run.startedAt = Instant.ofEpochMilli(now);
      run.phase = JobProgress.Phase.RUNNING;
      events.jobStarted(run.job.id(), run.startedAt);
    }
    Optional<ResumePoint> resume = Optional.empty();
    if (!spot && mayResume) {
      var saved = checkpoints.get(run, index);
      if (saved.isPresent()) {
        lease.resumedFrom = saved.get().authors();
        checkpoints.resumed++;
        resume = Optional.of(new ResumePoint(saved.get().progress(), saved.get().data()));
      }
    }
    var p = run.job.payloads().apply(index);
    out.task(
        v,
        new Assignment(
            run.job.id(),
            index,
            lease.id,
            p.kernel(),
            p.args(),
            p.env(),
            p.stdin(),
            lease.expiresAt,
            run.timeoutMillis,
            resume));
    return lease;
  }

  /**
   * Nothing queued for them: waiting volunteers with room may get a copy of a tail task another
   * identity holds, as the policy decides (DispatchPolicy.duplicate). Called from the tick, a few
   * times a second, so that its scan of the leases stays off the per-result path.
   */
  private void copyTail(long now, Outbox out) {
    if (waiting.isEmpty()) {
      return;
    }
    List<Lease> tail = PolicyViews.oldestInTails(jobs.values(), 4 * DispatchPolicy.MAX_CANDIDATES);
    if (tail.isEmpty()) {
      return;
    }
    int takers = 0;
    for (Volunteer v : List.copyOf(waiting)) {
      if (v.demand <= 0 || v.allowance.room(v.leases.size()) <= 0) {
        continue;
      }
      if (++takers > TAIL_TAKERS) {
        break; // the rest wait for the next tick
      }
      List<Lease> mayCopy = new ArrayList<>();
      List<surge.policies.HeldTask> held = new ArrayList<>();
      for (Lease l : tail) {
        if (held.size() == DispatchPolicy.MAX_CANDIDATES) {
          break;
        }
        // A replica of the task is a vote of its own only from a distinct identity.
        if (copies.copies(l.run, l.index) >= TailCopies.MAX_LEASES
            || l.volunteer.identity.equals(v.identity)
            || l.run.ended
            || l.run.done.get(l.index)
            || !Leases.current(l)
            || !l.run.eligible(v)
            || l.run.triedBy(l.index, v.identity)
            || Leases.holds(v, l.run, l.index)) {
          continue;
        }
        mayCopy.add(l);
        held.add(PolicyViews.held(l, copies.copies(l.run, l.index), progress, now));
      }
      if (held.isEmpty()) {
        continue;
      }
      var taker = PolicyViews.session(v, mayCopy.get(0).run, now);
      var pick = policy.duplicate(taker, held);
      if (pick.isEmpty() || pick.getAsInt() < 0 || pick.getAsInt() >= held.size()) {
        continue;
      }
      Lease original = mayCopy.get(pick.getAsInt());
      long expires = now + policy.lease(v.profile).toMillis();
      // It resumes from the holder's latest checkpoint only where the first answer settles the
      // task: where answers must agree, a copy built on the holder's work is no independent vote.
      boolean resume = original.run.verify.acceptsFirst();
      Lease copy = hand(v, original.run, original.index, false, resume, now, expires, out);
      copies.add(original, copy);
      v.lastRun = original.run;
      if (v.demand <= 0) {
        waiting.remove(v);
        v.waiting = false;
      }
    }
  }

  /** Sessions offered a tail copy per tick at most: bounds the tick's work in a large crowd. */
  private static final int TAIL_TAKERS = 256;

  /** A copied task is settled (accepted) or its job ended: the leases of it still out end. */
  private void settleCopies(JobRun run, int index, Outbox out) {
    if (copies.isEmpty() || !(run.ended || run.done.get(index))) {
      return;
    }
    for (Lease other : copies.settled(run, index)) {
      if (!Leases.current(other)) {
        continue;
      }
      unlease(other);
      copies.cancelled++;
      out.cancel(
          other.volunteer, new TaskKey(run.job.id(), index), "answered by another volunteer");
      enqueueWaiting(other.volunteer);
    }
  }

  /** Ends a lease; once only, since ending one job may end other leases of the same sweep. */
  private void unlease(Lease l) {
    if (leases.end(l) && !copies.isEmpty()) {
      copies.ended(l);
    }
  }

  /** How a lease lost without a result counts toward SURGE_MAX_ATTEMPTS (TaskLosses). */
  private enum Loss {
    /** The volunteer left by choice or was barred: nothing said against the task. */
    NOT_COUNTED,
    /** Disconnected, or its lease expired: counts once per identity. */
    GONE,
    /** Released for a reason about the task (kernel, crash, timeout): counts once per identity. */
    RELEASED
  }

  /** A lease ended without a result: the task goes back to the front of its job's queue. */
  private void lose(Lease l, String why, Loss loss, Outbox out) {
    unlease(l);
    JobRun run = l.run;
    if (run.ended || l.spot || run.done.get(l.index)) {
      return; // a spot check, or a task done meanwhile, needs no other volunteer
    }
    if (copies.stillOut(run, l.index)) {
      return; // its tail copy (or the original) is still out: that is what copies are for
    }
    if (loss != Loss.NOT_COUNTED) {
      TaskLosses losses = run.losses(l.index);
      losses.add(l.volunteer.identity, loss == Loss.RELEASED);
      if (losses.decisive(maxAttempts, this::connectedIdentities)) {
        fail(run, out, JobFailure.of(lostMessage(l.index, losses, why)));
        return;
      }
    }
    queue.requeue(run, l.index, System.nanoTime());
  }

  private String lostMessage(int index, TaskLosses losses, String why) {
    int n = losses.identities();
    String who =
        n >= maxAttempts
            ? "by " + n + " distinct volunteers"
            : "by every volunteer connected, each releasing it at least "
                + TaskLosses.RELEASES_BY_EACH
                + " times";
    return "task "
        + index
        + " was lost "
        + losses.total()
        + " times "
        + who
        + " (SURGE_MAX_ATTEMPTS="
        + maxAttempts
        + "); last time "
        + why;
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
    if (run.ended || l.spot || run.done.get(l.index)) {
      return;
    }
    checkpoints.drop(run, l.index); // it may be why the task failed
    TaskFailures failures = run.failures(l.index);
    failures.add(new TaskFailures.Report(v.id, v.identity, what, exitCode, stderrTail));
    LOG.fine(() -> "task " + l.index + " of " + run.job.id() + " failed on " + v.id + ": " + what);
    if (failures.decisive(limits.maxFailures(), connectedIdentities())) {
      fail(run, out, failures.failure(l.index, limits.maxFailures()));
      return;
    }
    if (!copies.stillOut(run, l.index)) {
      queue.requeue(run, l.index, System.nanoTime());
    }
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
            + " tasks done: the volunteers could not finish in time"
            + Verifier.awaiting(run);
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
    events.verification(run.job.id(), run.report());
    end(run, out, failure.message());
    run.phase = JobProgress.Phase.FAILED;
    run.failure = failure;
    events.jobFailed(run.job.id(), failure);
  }

  /** Stops a job's dispatch: drops its queue and cancels its leases on the volunteers. */
  private void end(JobRun run, Outbox out, String reason) {
    run.ended = true;
    checkpoints.dropJob(run);
    if (claims != TaskClaims.LOCAL) {
      for (int i = run.done.nextClearBit(0);
          i < run.job.taskCount();
          i = run.done.nextClearBit(i + 1)) {
        claims.released(run.job.id(), i);
      }
    }
    queue.drop(run);
    for (Lease l : List.copyOf(run.leased.values())) {
      unlease(l);
      out.cancel(l.volunteer, new TaskKey(run.job.id(), l.index), reason);
      enqueueWaiting(l.volunteer);
    }
  }

  /**
   * Notes in {@code out} that the local queue runs low (with volunteers waiting, or {@code always}
   * from the tick, so a hook that claims by polling is asked a few times a second), for the
   * claiming hook to hear once the lock is released.
   */
  private void lowOnWork(Outbox out, boolean always) {
    if (claims != TaskClaims.LOCAL
        && queue.queued() < claims.lowMark()
        && (always || !waiting.isEmpty())) {
      out.lowOnWork = queue.queued();
    }
  }

  /** Sends what {@code out} gathered; the lock must be released. */
  private void flush(Outbox out) {
    out.flush();
    if (out.lowOnWork >= 0) {
      claims.runningLow(out.lowOnWork);
    }
  }
}
