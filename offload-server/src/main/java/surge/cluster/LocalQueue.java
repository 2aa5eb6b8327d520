package surge.cluster;

import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import surge.dispatch.DispatchJob;
import surge.dispatch.Dispatcher;
import surge.dispatch.TaskClaims;
import surge.jobs.control.Jobs;
import surge.jobs.control.Merger;
import surge.jobs.entity.Job;
import surge.jobs.entity.JobState;
import surge.persistence.Database;

/**
 * The dispatcher's claiming hook when several instances share the database: claimed tasks join this
 * instance's dispatcher queue through {@link Dispatcher#claimed} (its fast local dispatch is
 * unchanged), a job it does not hold yet is loaded from the database and submitted with only the
 * claimed tasks runnable ({@link #onSubmit}), a queue running low asks the poller for more at once,
 * won merges go to its merger, and jobs that ended on another instance are released here.
 */
public final class LocalQueue implements ClusterNode.Work, TaskClaims {
  private static final Logger LOG = Logger.getLogger(LocalQueue.class.getName());

  /** Tasks queued here ahead per connected volunteer session (a poll comes every second). */
  static final int AHEAD = 8;

  /** After a round that wanted tasks and found none, a low queue waits for the next poll. */
  private static final long QUIET_NANOS = 1_000_000_000L;

  private final Database db;
  private final Dispatcher dispatcher;
  private final Jobs jobs;
  private final Merger merger;
  private final int batch;
  private final Runnable poke;
  private final java.util.function.BiConsumer<Long, BitSet> handBack;

  /** Full polls in a row with no volunteer connected here. */
  private int alone;

  /** Jobs held here, by sequence: their public ids. Written by the cluster thread. */
  private final Map<Long, String> held = new ConcurrentHashMap<>();

  /** Claimed tasks of a job being adopted, for {@link #onSubmit}; by sequence. */
  private final Map<Long, BitSet> adopting = new ConcurrentHashMap<>();

  /** Tasks handed to the dispatcher and not yet done here, by public job id. */
  private final Map<String, Integer> outstanding = new ConcurrentHashMap<>();

  private volatile int lowMark;
  private volatile long quietUntil = System.nanoTime();

  /**
   * @param poke asks the cluster's poller for a round soon ({@link ClusterNode#poke})
   * @param handBack returns tasks of a job to the pool ({@link ClusterNode#handBack})
   */
  public LocalQueue(
      Database db,
      Dispatcher dispatcher,
      Jobs jobs,
      Merger merger,
      int batch,
      Runnable poke,
      java.util.function.BiConsumer<Long, BitSet> handBack) {
    this.handBack = handBack;
    this.db = db;
    this.dispatcher = dispatcher;
    this.jobs = jobs;
    this.merger = merger;
    this.batch = batch;
    this.poke = poke;
  }

  // ---- ClusterNode.Work: what the poller found (on the cluster thread) ----

  @Override
  public void run(long job, BitSet claimed) {
    String id = held.get(job);
    if (id != null) {
      outstanding.merge(id, claimed.cardinality(), Integer::sum);
      if (!dispatcher.claimed(id, claimed)) {
        // It ended here, or was forgotten after its merge: its claim rows went with it.
        forget(job, id);
      }
      return;
    }
    adopting.put(job, claimed);
    try {
      jobs.adopt(job).ifPresent(publicId -> held.put(job, publicId));
    } finally {
      adopting.remove(job);
    }
    // Else the job ended meanwhile: its claim rows went with it.
  }

  /**
   * Claims only for volunteers connected here: {@link #AHEAD} queued tasks per session, at most two
   * batches. An instance nobody volunteers on leaves the tasks to the others, and a small job is
   * spread over the instances instead of taken whole by the first poll.
   */
  @Override
  public int wanted() {
    var stats = dispatcher.stats();
    long ahead = Math.min(2L * batch, (long) AHEAD * stats.volunteers());
    lowMark = (int) (ahead / 2);
    return (int) Math.max(0, ahead - stats.queued());
  }

  @Override
  public void merge(long job) {
    db.run(
        s -> {
          Job j = s.find(Job.class, job);
          if (j != null) {
            j.merging();
          }
        });
    merger.mergeLater(job);
  }

  @Override
  public void polled(boolean full, boolean foundNone) {
    if (foundNone) {
      quietUntil = System.nanoTime() + QUIET_NANOS;
    }
    if (!full || held.isEmpty()) {
      return;
    }
    handBackSurplus();
    List<Job> ended =
        db.transaction(
            s ->
                s.createSelectionQuery(
                        "from Job j where j.id in (:ids) and j.state in (:ended)", Job.class)
                    .setParameter("ids", List.copyOf(held.keySet()))
                    .setParameter(
                        "ended", List.of(JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED))
                    .getResultList());
    for (Job job : ended) {
      dispatcher.release(job.publicId(), "it ended on another instance", true);
      forget(job.id(), job.publicId());
      LOG.fine(() -> "released " + job.publicId() + ": " + job.state());
    }
  }

  /**
   * Queued tasks beyond twice what this instance's volunteers want go back to the pool; all of them
   * once no volunteer has been connected here for two full polls (after an nginx restart every
   * volunteer may reconnect to the other instances: this one's claimed tasks would wait for ever,
   * its lease being live; bench/cluster-faults.sh nginx-restart).
   */
  private void handBackSurplus() {
    var stats = dispatcher.stats();
    alone = stats.volunteers() == 0 ? alone + 1 : 0;
    long keep = 2 * Math.min(2L * batch, (long) AHEAD * stats.volunteers());
    if (stats.queued() <= keep || (stats.volunteers() == 0 && alone < 2)) {
      return;
    }
    Map<String, BitSet> taken = dispatcher.unqueue(keep);
    for (var e : held.entrySet()) {
      BitSet tasks = taken.get(e.getValue());
      if (tasks == null || tasks.isEmpty()) {
        continue;
      }
      try {
        handBack.accept(e.getKey(), tasks);
        outstanding.computeIfPresent(e.getValue(), (k, n) -> n - tasks.cardinality());
      } catch (RuntimeException failed) {
        LOG.warning("could not hand tasks back, queued here again: " + failed);
        dispatcher.claimed(e.getValue(), tasks);
      }
    }
  }

  /**
   * The lease lapsed (the instance was frozen or cut off past it): every job held here is released
   * from the dispatcher, so its volunteers stop computing tasks that now run elsewhere; the jobs
   * come back with whatever this instance claims under its new lease.
   */
  @Override
  public void lapsed() {
    for (var job : List.copyOf(held.entrySet())) {
      // No report: what was done here under the lapsed lease was refused at the fence.
      dispatcher.release(
          job.getValue(), "this server instance's claim lapsed; it runs elsewhere", false);
      forget(job.getKey(), job.getValue());
    }
    LOG.warning("cluster: released every job held here after the lease lapsed");
  }

  @Override
  public boolean finishedHere(long job) {
    String id = held.get(job);
    Integer left = id == null ? null : outstanding.get(id);
    return left != null && left <= 0;
  }

  private void forget(long job, String id) {
    held.remove(job);
    outstanding.remove(id);
  }

  // ---- TaskClaims: what the dispatcher asks (under its lock, except runningLow) ----

  /** Only the tasks this instance claimed for the job it is adopting; none for any other job. */
  @Override
  public BitSet onSubmit(DispatchJob job, BitSet pending) {
    BitSet mine = adopting.remove(job.sequence());
    if (mine == null) {
      return new BitSet();
    }
    mine.and(pending);
    outstanding.merge(job.id(), mine.cardinality(), Integer::sum);
    return mine;
  }

  @Override
  public int lowMark() {
    return lowMark;
  }

  @Override
  public void runningLow(long queued) {
    if (System.nanoTime() - quietUntil >= 0) {
      poke.run();
    }
  }

  @Override
  public void done(String job, int index) {
    outstanding.computeIfPresent(job, (k, n) -> n - 1);
  }

  @Override
  public void released(String job, int index) {
    outstanding.remove(job);
  }

  @Override
  public String toString() {
    return "LocalQueue(cluster claims)";
  }
}
