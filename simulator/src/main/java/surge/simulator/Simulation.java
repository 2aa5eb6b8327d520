package surge.simulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Set;
import surge.policies.DispatchPolicies;
import surge.policies.DispatchPolicy;
import surge.policies.HeldTask;
import surge.policies.SessionView;
import surge.policies.TaskView;
import surge.policies.VerificationPolicy;
import surge.policies.VolunteerHistory;
import surge.policies.VolunteerProfile;

/**
 * A discrete-event simulation of one job under visitors that come and go. The server side makes the
 * decisions the real dispatcher makes, by calling the real {@link DispatchPolicy} in the same order
 * (grant, then for each task granted: candidates and choose, or duplicate when nothing is queued;
 * departed when a session leaves) and, with verification, the real {@link VerificationPolicy}
 * (credibility of a result, spot-check rate). The volunteer side follows
 * worker-runtime/src/volunteer.js: it asks for {@code batch} tasks when what it holds and has asked
 * for falls below {@code max(1, prefetchBelow)}, runs them in order on its workers, and sends one
 * results message per task. Every message takes half a round trip.
 *
 * <p>Deterministic: one seeded generator, and events at the same time run in the order they were
 * scheduled.
 */
public final class Simulation {
  private record Event(double time, long seq, Runnable action) {}

  private final Scenario s;
  private final Distributions rnd;
  private final DispatchPolicy policy;
  private final VerificationPolicy verification;
  private final PriorityQueue<Event> events =
      new PriorityQueue<>(
          (a, b) -> a.time != b.time ? Double.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private long seq;
  private double now;
  private final double submitAt;
  private boolean submitted;
  private double finishedAt = Double.NaN;

  private final Task[] tasks;
  private final ArrayDeque<Task> queue = new ArrayDeque<>();
  private int done;
  private double jobMsSum;
  private long jobMsCount;

  private final Set<Session> live = new LinkedHashSet<>();
  private final Set<Session> waiting = new LinkedHashSet<>();
  private final Set<Lease> active = new LinkedHashSet<>();
  private final List<Lease> running = new ArrayList<>();
  private int nextId;

  private final Tally t = new Tally();
  private Tally atSubmit;
  private double lastSample;
  private double sessionArea;

  /** Counters; a copy is taken at submission so the job's own share can be told apart. */
  private static final class Tally implements Cloneable {
    long visitors, turnedAway, up, down, heartbeats, checkpoints, duplicates, spotChecks;
    long resultsIgnored, requeued, sessionsWithResult;
    double lostWork, replicaWork, spotWork;
    int peakSessions;

    Tally copy() {
      try {
        return (Tally) clone();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static final class Task {
    final int index;
    final double length; // speed-1 milliseconds of the whole task
    final boolean spot;
    boolean done;
    boolean queued;
    double remaining = 1;
    int attempts;
    final List<Lease> leases = new ArrayList<>(2);
    final List<Double> credibilities = new ArrayList<>(1);
    final Set<Session> contributors = new HashSet<>(2);

    Task(int index, double length, boolean spot) {
      this.index = index;
      this.length = length;
      this.spot = spot;
    }
  }

  private static final class Lease {
    final Task task;
    final Session holder;
    final double leasedAt;
    final double startFraction;
    boolean active = true; // on the server
    boolean dropped; // on the volunteer (cancelled, or the volunteer left)
    boolean started;
    boolean finished;
    double startedAt;
    double need; // speed-1 ms of work in this lease
    double work; // speed-1 ms done so far (up to lastUpdate)
    double rate;
    double lastUpdate;
    long version;

    Lease(Task task, Session holder, double leasedAt) {
      this.task = task;
      this.holder = holder;
      this.leasedAt = leasedAt;
      this.startFraction = task.remaining;
    }
  }

  private final class Session {
    final int id;
    final boolean browser;
    final double speed;
    final double arrivedAt;
    double leaveAt = Double.POSITIVE_INFINITY;
    double connectedAt = Double.NaN;
    boolean welcomed; // volunteer side
    boolean known; // server side: connected and not yet noticed gone
    boolean departedSeen; // server side
    boolean gone; // volunteer side
    final ArrayDeque<Lease> local = new ArrayDeque<>();
    final Lease[] slots;
    int outstanding;
    int pending; // server side demand
    int batch;
    int prefetchBelow;
    final List<Lease> held = new ArrayList<>();
    long tasksDone;
    double msSum;
    long passed;
    long agreements;
    final VolunteerProfile profile;

    Session(int id, boolean browser, double speed, double arrivedAt) {
      this.id = id;
      this.browser = browser;
      this.speed = speed;
      this.arrivedAt = arrivedAt;
      this.slots = new Lease[s.workers()];
      this.profile = new VolunteerProfile(s.workers(), browser ? "sim browser" : "sim machine");
    }

    VolunteerHistory history() {
      return browser
          ? new VolunteerHistory(false, passed, 0, agreements, 0)
          : VolunteerHistory.TRUSTED;
    }

    SessionView view() {
      return new SessionView(
          "s" + id,
          profile,
          browser ? SessionView.Kind.BROWSER : SessionView.Kind.TRUSTED,
          (long) connectedAt,
          Math.max((long) connectedAt, (long) now),
          held.size(),
          tasksDone,
          tasksDone > 0 ? msSum / tasksDone : Double.NaN,
          jobMsCount > 0 ? jobMsSum / jobMsCount : Double.NaN);
    }

    int runningCount() {
      int n = 0;
      for (Lease l : slots) {
        if (l != null) {
          n++;
        }
      }
      return n;
    }
  }

  /**
   * One visitor of a recorded run: when it arrived (ms after the submission; an initial one was
   * there before and its dwell counts from the submission) and how long it stayed.
   */
  public record Visit(double atMs, double dwellMs, boolean initial) {}

  private final List<Visit> trace;

  public Simulation(Scenario scenario) {
    this(scenario, null);
  }

  /**
   * Replays the visitors of a recorded run (bench/churn.sh) instead of drawing arrivals and dwells:
   * the model is then compared with the real run on the same visitors.
   */
  public Simulation(Scenario scenario, List<Visit> trace) {
    this.trace = trace;
    this.s = scenario;
    this.rnd = new Distributions(scenario.seed());
    this.policy =
        DispatchPolicies.named(
            scenario.policy(),
            scenario.tasksPerWorker(),
            java.time.Duration.ofMillis(scenario.leaseMs()));
    this.verification =
        scenario.verify().equals("credibility")
            ? surge.policies.VerificationPolicies.named(
                "credibility", Simulation.class.getClassLoader())
            : null;
    this.tasks = new Task[scenario.tasks()];
    for (int i = 0; i < tasks.length; i++) {
      tasks[i] = new Task(i, scenario.taskMs() * rnd.logNormal(1, scenario.taskSigma()), false);
    }
    this.submitAt = scenario.warmupMs() + scenario.startupMs() + scenario.rttMs();
  }

  /** Runs the job to its end (or the scenario's limit) and returns what happened. */
  public Outcome run() {
    if (trace != null) {
      for (Visit visit : trace) {
        double dwell = s.constant() ? Double.NaN : visit.dwellMs();
        if (visit.initial()) {
          at(s.warmupMs(), () -> arrive(true, dwell));
        } else {
          at(submitAt + Math.max(0, visit.atMs()), () -> arrive(false, dwell));
        }
      }
    } else {
      for (int i = 0; i < s.sessions(); i++) {
        at(s.warmupMs(), () -> arrive(true, Double.NaN));
      }
    }
    if (trace == null && !s.constant() && s.arrivalsPerHour() > 0) {
      at(s.warmupMs() > 0 ? 0 : submitAt, this::nextArrival);
    }
    at(submitAt, this::submit);
    while (!events.isEmpty() && Double.isNaN(finishedAt)) {
      Event e = events.poll();
      if (e.time > s.limitMs()) {
        break;
      }
      sample(e.time);
      now = e.time;
      e.action.run();
    }
    return outcome();
  }

  // ---- the clock ----

  private void at(double time, Runnable action) {
    events.add(new Event(time, seq++, action));
  }

  private void after(double delay, Runnable action) {
    at(now + delay, action);
  }

  private double half() {
    return s.rttMs() / 2;
  }

  private void sample(double time) {
    if (submitted) {
      sessionArea += live.size() * (time - lastSample);
    }
    lastSample = time;
  }

  // ---- visitors ----

  private void nextArrival() {
    arrive(false, Double.NaN);
    after(rnd.exponential(3_600_000.0 / s.arrivalsPerHour()), this::nextArrival);
  }

  /** A visitor arrives; {@code dwell} is NaN to draw one (when the scenario has churn). */
  private void arrive(boolean initial, double dwell) {
    t.visitors++;
    if (s.maxSessions() > 0 && live.size() >= s.maxSessions()) {
      t.turnedAway++;
      return;
    }
    boolean browser = rnd.chance(s.browserShare());
    Session v = new Session(++nextId, browser, rnd.logNormal(1, s.speedSigma()), now);
    live.add(v);
    t.peakSessions = Math.max(t.peakSessions, live.size());
    if (!s.constant()) {
      // The first sessions were on the page before the job existed: their dwell counts from the
      // submission, as bench/churn.sh starts it.
      double from = initial && s.warmupMs() == 0 ? submitAt : now;
      v.leaveAt = from + (Double.isNaN(dwell) ? rnd.weibull(s.shape(), s.scaleMs()) : dwell);
      at(v.leaveAt, () -> leave(v));
    }
    after(s.startupMs(), () -> hello(v));
  }

  private void hello(Session v) {
    if (v.gone) {
      return;
    }
    t.up++;
    after(
        half(),
        () -> {
          if (v.departedSeen) {
            return;
          }
          v.known = true;
          v.connectedAt = now;
          v.batch = policy.batch(v.profile);
          v.prefetchBelow = policy.prefetchBelow(v.profile);
          t.down++;
          after(
              half(),
              () -> {
                v.welcomed = true;
                maybeRequest(v);
              });
        });
  }

  private void leave(Session v) {
    if (v.gone) {
      return;
    }
    v.gone = true;
    if (v.welcomed) {
      t.heartbeats += (long) ((now - v.connectedAt) / s.heartbeatMs());
    }
    for (int w = 0; w < v.slots.length; w++) {
      Lease l = v.slots[w];
      if (l != null) {
        progress(l);
        double saved = checkpointed(l, now);
        t.lostWork += l.work - saved;
        l.work = saved;
        l.dropped = true;
        running.remove(l);
        v.slots[w] = null;
      }
    }
    v.local.clear();
    if (s.hostCores() > 0) {
      rebalance();
    }
    boolean clean = rnd.chance(s.cleanLeaveShare());
    if (clean && v.welcomed) {
      t.up++; // release
    }
    after((clean ? 0 : s.abruptDetectMs()) + half(), () -> departed(v, clean));
  }

  /** The server notices the session has gone: its tasks go back to the queue. */
  private void departed(Session v, boolean clean) {
    live.remove(v);
    waiting.remove(v);
    v.departedSeen = true;
    if (!v.known) {
      return;
    }
    v.known = false;
    boolean freed = false;
    for (Lease l : new ArrayList<>(v.held)) {
      freed |= drop(l, true);
    }
    v.held.clear();
    policy.departed(v.view(), clean);
    if (freed) {
      serveWaiting();
    }
  }

  /** Ends a lease on the server; requeues its task when no other lease is out. */
  private boolean drop(Lease l, boolean lost) {
    l.active = false;
    active.remove(l);
    l.task.leases.remove(l);
    Task task = l.task;
    if (lost && !task.done && !task.spot && l.work > 0) {
      task.remaining = Math.max(1e-6, l.startFraction - l.work / task.length);
    }
    if (task.done || task.spot || task.queued || !task.leases.isEmpty()) {
      return false;
    }
    task.attempts++;
    task.queued = true;
    queue.addFirst(task);
    t.requeued++;
    return true;
  }

  // ---- the volunteer ----

  private void maybeRequest(Session v) {
    if (!v.welcomed || v.gone) {
      return;
    }
    int held = v.runningCount() + v.local.size();
    if (held + v.outstanding < Math.max(1, v.prefetchBelow)) {
      t.up++;
      int count = v.batch;
      v.outstanding += count;
      after(
          half(),
          () -> {
            if (!v.known) {
              return;
            }
            v.pending += count;
            serve(v);
          });
    }
  }

  private void receive(Session v, List<Lease> granted) {
    v.outstanding = Math.max(0, v.outstanding - granted.size());
    if (v.gone) {
      return;
    }
    for (Lease l : granted) {
      if (!l.dropped) {
        v.local.add(l);
      }
    }
    startWorkers(v);
    maybeRequest(v);
  }

  private void startWorkers(Session v) {
    for (int w = 0; w < v.slots.length; w++) {
      if (v.slots[w] != null) {
        continue;
      }
      Lease l = v.local.poll();
      while (l != null && l.dropped) {
        l = v.local.poll();
      }
      if (l == null) {
        return;
      }
      v.slots[w] = l;
      l.started = true;
      l.startedAt = now;
      l.lastUpdate = now;
      l.need = l.task.length * l.startFraction;
      if (s.hostCores() > 0) {
        running.add(l);
        rebalance();
      } else {
        l.rate = v.speed;
        schedule(l);
      }
    }
  }

  private void schedule(Lease l) {
    long version = ++l.version;
    after(Math.max(0, (l.need - l.work) / l.rate), () -> finish(l, version));
  }

  /** Every running task shares the host's cores: recompute rates and finish times. */
  private void rebalance() {
    double share = Math.min(1, s.hostCores() / Math.max(1, running.size()));
    for (Lease l : running) {
      progress(l);
      l.rate = l.holder.speed * share;
      schedule(l);
    }
  }

  private void progress(Lease l) {
    l.work = Math.min(l.need, l.work + l.rate * (now - l.lastUpdate));
    l.lastUpdate = now;
  }

  /** Work saved by the lease's latest checkpoint at time {@code at} (wall-clock periods). */
  private double checkpointed(Lease l, double at) {
    if (s.checkpointMs() <= 0 || l.task.spot || at <= l.startedAt) {
      return 0;
    }
    long n = (long) ((at - l.startedAt) / s.checkpointMs());
    t.checkpoints += n;
    return n == 0 ? 0 : l.work * (n * s.checkpointMs()) / (at - l.startedAt);
  }

  private void finish(Lease l, long version) {
    Session v = l.holder;
    if (version != l.version || l.dropped || v.gone || l.finished) {
      return;
    }
    progress(l);
    l.finished = true;
    checkpointed(l, now);
    for (int w = 0; w < v.slots.length; w++) {
      if (v.slots[w] == l) {
        v.slots[w] = null;
      }
    }
    if (s.hostCores() > 0) {
      running.remove(l);
      rebalance();
    }
    t.up++; // results
    double wall = now - l.startedAt;
    after(half(), () -> result(v, l, wall));
    startWorkers(v);
    maybeRequest(v);
  }

  // ---- the server ----

  private void submit() {
    submitted = true;
    atSubmit = t.copy();
    atSubmit.visitors -= live.size(); // the sessions present at submission count as visitors
    lastSample = now;
    for (Task task : tasks) {
      task.queued = true;
      queue.add(task);
    }
    serveWaiting();
  }

  private void serveWaiting() {
    for (Session v : new ArrayList<>(waiting)) {
      if (!submitted || queue.isEmpty() && active.isEmpty()) {
        return;
      }
      serve(v);
    }
  }

  private void serve(Session v) {
    if (!v.known || v.pending <= 0) {
      return;
    }
    if (!submitted) {
      waiting.add(v);
      return;
    }
    int n = Math.max(0, Math.min(v.pending, policy.grant(v.view(), v.pending)));
    List<Lease> granted = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Lease l = next(v);
      if (l == null) {
        break;
      }
      granted.add(l);
    }
    v.pending -= granted.size();
    if (v.pending > 0) {
      waiting.add(v);
    } else {
      waiting.remove(v);
    }
    if (!granted.isEmpty()) {
      t.down++;
      after(half(), () -> receive(v, granted));
    }
  }

  /** The next lease for {@code v}: a spot check, a queued task, or a copy of a held one. */
  private Lease next(Session v) {
    if (verification != null && v.browser && rnd.chance(verification.spotCheckRate(v.history()))) {
      t.spotChecks++;
      return lease(new Task(-1, s.taskMs() * rnd.logNormal(1, s.taskSigma()), true), v);
    }
    SessionView view = v.view();
    int k = Math.max(1, Math.min(policy.candidates(), DispatchPolicy.MAX_CANDIDATES));
    List<Task> picks = new ArrayList<>(k);
    for (Iterator<Task> it = queue.iterator(); it.hasNext() && picks.size() < k; ) {
      Task task = it.next();
      if (!task.contributors.contains(v) && !holds(v, task)) {
        picks.add(task);
      }
    }
    if (!picks.isEmpty()) {
      int i = 0;
      if (picks.size() > 1) {
        List<TaskView> views = new ArrayList<>(picks.size());
        for (Task task : picks) {
          views.add(taskView(task));
        }
        i = policy.choose(view, views);
        if (i < 0 || i >= picks.size()) {
          i = 0;
        }
      }
      Task task = picks.get(i);
      queue.remove(task);
      task.queued = false;
      return lease(task, v);
    }
    List<Lease> candidates = new ArrayList<>();
    List<HeldTask> held = new ArrayList<>();
    for (Lease l : active) {
      if (held.size() >= DispatchPolicy.MAX_CANDIDATES) {
        break;
      }
      if (l.holder != v
          && !l.task.spot
          && !l.task.done
          && !holds(v, l.task)
          && !l.task.contributors.contains(v)) {
        candidates.add(l);
        held.add(
            new HeldTask(
                taskView(l.task), l.holder.view(), (long) l.leasedAt, l.task.leases.size()));
      }
    }
    if (held.isEmpty()) {
      return null;
    }
    OptionalInt pick = policy.duplicate(view, held);
    if (pick.isEmpty() || pick.getAsInt() < 0 || pick.getAsInt() >= held.size()) {
      return null;
    }
    t.duplicates++;
    return lease(candidates.get(pick.getAsInt()).task, v);
  }

  private boolean holds(Session v, Task task) {
    for (Lease l : task.leases) {
      if (l.holder == v) {
        return true;
      }
    }
    return false;
  }

  private TaskView taskView(Task task) {
    return new TaskView(
        "job",
        task.index,
        task.remaining,
        jobMsCount > 0 ? jobMsSum / jobMsCount : Double.NaN,
        task.attempts);
  }

  private Lease lease(Task task, Session v) {
    Lease l = new Lease(task, v, now);
    task.leases.add(l);
    v.held.add(l);
    active.add(l);
    return l;
  }

  private void result(Session v, Lease l, double wall) {
    if (!l.active) {
      // Cancelled meanwhile (another copy settled the task): the work is lost.
      t.resultsIgnored++;
      t.lostWork += l.work;
      return;
    }
    l.active = false;
    active.remove(l);
    v.held.remove(l);
    Task task = l.task;
    task.leases.remove(l);
    if (v.tasksDone++ == 0 && submitted) {
      t.sessionsWithResult++;
    }
    // Measured by the server: never more than the lease's age.
    double ms = Math.min(wall, now - l.leasedAt);
    v.msSum += ms;
    jobMsSum += ms;
    jobMsCount++;
    if (task.spot) {
      v.passed++;
      t.spotWork += l.work;
    } else {
      accept(v, l, task);
    }
    serve(v);
    if (!queue.isEmpty()) {
      serveWaiting();
    }
  }

  private void accept(Session v, Lease l, Task task) {
    task.contributors.add(v);
    task.credibilities.add(verification == null ? 1.0 : verification.credibility(v.history()));
    boolean accepted = verification == null || groupCredibility(task) >= 1 - s.verifyError();
    if (!accepted) {
      t.replicaWork += l.work;
      if (task.leases.isEmpty() && !task.queued) {
        task.queued = true;
        queue.addFirst(task);
      }
      return;
    }
    if (task.credibilities.size() > 1) {
      t.replicaWork += l.work;
    }
    task.done = true;
    done++;
    for (Session c : task.contributors) {
      if (task.credibilities.size() > 1) {
        c.agreements++;
      }
    }
    for (Lease other : new ArrayList<>(task.leases)) {
      drop(other, false);
      other.holder.held.remove(other);
      t.down++; // cancel
      after(half(), () -> cancelled(other));
    }
    if (done == tasks.length) {
      finishedAt = now;
    }
  }

  private double groupCredibility(Task task) {
    double[] group = new double[task.credibilities.size()];
    for (int i = 0; i < group.length; i++) {
      group[i] = task.credibilities.get(i);
    }
    return VerificationPolicy.groupCredibility(List.of(group), 0);
  }

  private void cancelled(Lease l) {
    l.dropped = true;
    Session v = l.holder;
    for (int w = 0; w < v.slots.length; w++) {
      if (v.slots[w] == l) {
        progress(l);
        t.lostWork += l.work;
        v.slots[w] = null;
        running.remove(l);
        if (s.hostCores() > 0) {
          rebalance();
        }
        startWorkers(v);
        maybeRequest(v);
      }
    }
  }

  // ---- the outcome ----

  private Outcome outcome() {
    boolean finished = !Double.isNaN(finishedAt);
    double end = finished ? finishedAt : now;
    Tally base = atSubmit == null ? new Tally() : atSubmit;
    // Heartbeats of the sessions still there, up to the end.
    long heartbeats = t.heartbeats;
    for (Session v : live) {
      if (v.welcomed && !v.gone) {
        heartbeats += (long) ((end - Math.max(v.connectedAt, submitAt)) / s.heartbeatMs());
      }
    }
    long messages = (t.up - base.up) + (t.down - base.down) + (heartbeats - base.heartbeats);
    double makespan = end - submitAt;
    double jobWork = 0;
    for (Task task : tasks) {
      jobWork += task.length;
    }
    return new Outcome(
        s,
        finished,
        makespan,
        done,
        t.visitors - base.visitors,
        t.turnedAway - base.turnedAway,
        t.sessionsWithResult - base.sessionsWithResult,
        makespan > 0 ? sessionArea / makespan : 0,
        t.peakSessions,
        messages,
        messages / (double) s.tasks(),
        makespan > 0 ? messages / (makespan / 1000) : 0,
        (t.lostWork - base.lostWork) / jobWork,
        t.replicaWork / jobWork,
        t.spotWork / jobWork,
        t.requeued,
        t.duplicates,
        t.spotChecks,
        t.checkpoints,
        t.resultsIgnored);
  }
}
