package surge.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.jobs.control.SharedState;
import surge.persistence.Database;

/**
 * One server instance's part in the cluster: it keeps its lease, claims batches of runnable tasks
 * for its own dispatcher, hands back the tasks of instances whose lease lapsed, claims merges of
 * jobs whose tasks are all done, and fences every write of a result or a merge by its lease.
 */
public final class ClusterNode implements SharedState, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ClusterNode.class.getName());

  /** What the instance does with what it claimed. */
  public interface Work {
    /** Tasks claimed for this instance: queue them (adopting the job if it is new here). */
    void run(long job, BitSet claimed);

    /** How many more tasks this instance wants now (0: it has enough queued). */
    int wanted();

    /** This instance won the job's merge. */
    void merge(long job);

    /**
     * Called after each round: {@code full} every second (housekeeping: forgetting jobs that ended
     * elsewhere); {@code foundNone} when it wanted tasks and none were pending.
     */
    default void polled(boolean full, boolean foundNone) {}

    /**
     * This instance's lease had lapsed: everything it claimed went back to the pool and runs
     * elsewhere, so drop it all here (its results would be refused at the fence anyway).
     */
    default void lapsed() {}

    /** True if every task of the job claimed here is done here: its merge may be due. */
    default boolean finishedHere(long job) {
      return false;
    }
  }

  /**
   * Lease length, renewal and poll periods, and the most tasks claimed in one statement. A dead
   * instance's tasks are claimed again after at most {@code lease + poll} (plus one statement).
   */
  public record Timing(Duration lease, Duration renewEvery, Duration pollEvery, int batch) {
    public static final Timing DEFAULT =
        new Timing(Duration.ofSeconds(6), Duration.ofSeconds(2), Duration.ofSeconds(1), 64);
  }

  private final Database db;
  private final InstanceLease lease;
  private final Timing timing;
  private final Claims claims = new Claims();
  private final AtomicBoolean poked = new AtomicBoolean();
  private final AtomicBoolean mergeDue = new AtomicBoolean();
  private final AtomicBoolean mergePoke = new AtomicBoolean();
  private final ScheduledExecutorService timer;

  /**
   * Renews the lease on a thread of its own: a poll blocked behind a frozen instance's row locks
   * must not let this instance's lease lapse too (seen in bench/cluster-faults.sh sigstop).
   */
  private final ScheduledExecutorService leaseTimer;

  private volatile Work work;

  public ClusterNode(Database db, String name, Timing timing) {
    this.db = db;
    this.lease = new InstanceLease(name, timing.lease());
    this.timing = timing;
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("surge-cluster"));
    this.leaseTimer = Executors.newSingleThreadScheduledExecutor(daemon(LEASE_THREAD));
  }

  private static final String LEASE_THREAD = "surge-cluster-lease";

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Takes a lease and starts renewing it and polling for work. */
  public void start(Work work) {
    join(work);
    LOG.info(() -> "cluster: " + lease.name() + " holds lease epoch " + lease.epoch());
    leaseTimer.scheduleWithFixedDelay(
        this::renewQuietly, 0, timing.renewEvery().toMillis(), TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(
        () -> pollQuietly(true), 0, timing.pollEvery().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Takes a lease without starting the timers (tests drive {@link #poll} themselves). */
  void join(Work work) {
    this.work = work;
    sql(c -> lease.take(c));
    int adopted = sql(claims::adoptUnclaimed);
    if (adopted > 0) {
      LOG.info(
          () ->
              "cluster: "
                  + adopted
                  + " unfinished job(s) stored before SURGE_CLUSTER=on are now shared");
    }
  }

  /** Renews the lease, or takes a new one (a new epoch) if it lapsed; true if it was still live. */
  public boolean renew() {
    boolean live = sql(lease::renew);
    if (!live) {
      long old = lease.epoch();
      sql(c -> lease.take(c));
      LOG.warning(
          () ->
              "cluster: lease epoch "
                  + old
                  + " had lapsed; its tasks are fenced off, now epoch "
                  + lease.epoch());
      if (Thread.currentThread().getName().equals(LEASE_THREAD)) {
        timer.execute(work::lapsed); // with the polls, on their thread
      } else {
        work.lapsed();
      }
    }
    return live;
  }

  /**
   * One round: hands back lapsed leases' tasks, claims what this instance wants and hands it to its
   * dispatcher, claims merges that are due.
   */
  public void poll() {
    poll(true, true);
  }

  /**
   * A round: with {@code full} (the timer's, every second) also hands back lapsed leases' tasks and
   * does the housekeeping; with {@code merges} also claims merges that are due. A round asked for
   * by a low queue or a submission only claims tasks: on two instances the reclaim and merge claim
   * of every such round cost PostgreSQL more than the claim itself (bench/throughput.sh --setups).
   */
  void poll(boolean full, boolean merges) {
    poked.set(false);
    if (full) {
      sql(claims::reclaim);
    }
    int wanted = work.wanted();
    boolean won = false;
    if (wanted > 0) {
      Map<Long, BitSet> claimed =
          sql(c -> claims.claim(c, lease.name(), lease.epoch(), Math.min(wanted, timing.batch())));
      claimed.forEach(work::run);
      won = !claimed.isEmpty();
    }
    if (merges) {
      List<Long> due = sql(c -> claims.claimMerges(c, lease.name(), lease.epoch(), 8));
      due.forEach(work::merge);
    }
    work.polled(full, wanted > 0 && !won);
  }

  /** Polls soon (a job was submitted, or this instance's queue runs low): claims tasks only. */
  public void poke() {
    if (poked.compareAndSet(false, true)) {
      timer.execute(() -> pollQuietly(false));
    }
  }

  private void renewQuietly() {
    try {
      renew();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cluster: renewing the lease failed; trying again", e);
    }
  }

  private void pollQuietly(boolean full) {
    try {
      poll(full, full || mergePoke.getAndSet(false));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cluster: claiming tasks failed; trying again", e);
    }
  }

  // ---- SharedState: what the journal, the merger and the jobs ask ----

  @Override
  public boolean on() {
    return true;
  }

  @Override
  public void accepted(Connection c, long job, int tasks, int priority, Instant deadline)
      throws SQLException {
    claims.addJob(c, job, tasks, priority, deadline);
  }

  @Override
  public void submitted(long job) {
    poke();
  }

  @Override
  public BitSet admit(Connection c, long[] jobs, int[] indices) throws SQLException {
    BitSet admitted = claims.done(c, lease.name(), lease.epoch(), jobs, indices);
    Work w = work;
    long last = -1;
    for (int i = admitted.nextSetBit(0); w != null && i >= 0; i = admitted.nextSetBit(i + 1)) {
      if (jobs[i] != last && w.finishedHere(jobs[i])) {
        mergeDue.set(true); // claimed at the poll that follows the commit
      }
      last = jobs[i];
    }
    return admitted;
  }

  @Override
  public void reopen(Connection c, long job, int index) throws SQLException {
    claims.reopen(c, lease.name(), lease.epoch(), job, index);
  }

  @Override
  public void ended(Connection c, long job) throws SQLException {
    claims.ended(c, job);
  }

  @Override
  public void committed() {
    if (mergeDue.getAndSet(false)) {
      mergePoke.set(true);
      poke();
    }
  }

  @Override
  public boolean mayStoreMerge(Connection c, long job) throws SQLException {
    return claims.mergeStored(c, job, lease.epoch());
  }

  /**
   * Read from the claims at most every {@link #COUNTS_FRESH_NANOS} per job here: a status poll
   * every 100 ms on a 20,000-task job was PostgreSQL's largest cost per task (each read counts the
   * job's rows), and a view half a second old tells a client nothing less.
   */
  @Override
  public Optional<TaskCounts> counts(long job) {
    long now = System.nanoTime();
    Counted seen = counted.get(job);
    if (seen != null && now - seen.atNanos() < COUNTS_FRESH_NANOS) {
      return Optional.of(seen.counts());
    }
    TaskCounts fresh = sql(c -> claims.counts(c, job));
    if (counted.size() >= MAX_COUNTED) {
      counted.clear(); // bounded; only costs a read each for the jobs still being polled
    }
    counted.put(job, new Counted(fresh, now));
    return Optional.of(fresh);
  }

  private static final long COUNTS_FRESH_NANOS = 500_000_000L;
  private static final int MAX_COUNTED = 10_000;
  private final Map<Long, Counted> counted = new java.util.concurrent.ConcurrentHashMap<>();

  private record Counted(TaskCounts counts, long atNanos) {}

  /** Tasks of a job this instance no longer queues go back to the pool for any instance. */
  public void handBack(long job, BitSet indices) {
    int n = sql(c -> claims.handBack(c, lease.epoch(), job, indices));
    LOG.info(() -> "cluster: handed " + n + " task(s) of job #" + job + " back to the pool");
  }

  /** The current lease's fencing token. */
  public long epoch() {
    return lease.epoch();
  }

  public String name() {
    return lease.name();
  }

  /** Round trips this instance sent for claims (not for leases). */
  public long statements() {
    return claims.statements();
  }

  /** Stops without a word to the database, as a killed instance would. */
  void halt() {
    leaseTimer.shutdownNow();
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops, hands back what it holds and ends its lease, so others need not wait for it. */
  @Override
  public void close() {
    leaseTimer.shutdownNow();
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      sql(
          c -> {
            claims.release(c, lease.epoch());
            lease.end(c);
            return null;
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cluster: releasing the lease failed; it lapses by itself", e);
    }
  }

  @FunctionalInterface
  interface Sql<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T sql(Sql<T> work) {
    return db.transaction(s -> s.doReturningWork(work::run));
  }
}
