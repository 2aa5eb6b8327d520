package surge.cluster;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import surge.dispatch.Dispatcher;
import surge.jobs.control.Jobs;
import surge.jobs.control.Merger;
import surge.jobs.entity.Job;
import surge.jobs.entity.JobState;
import surge.persistence.Database;

/**
 * What a server instance does with its claims: claimed tasks join its dispatcher's queue (its fast
 * local dispatch is unchanged), jobs it does not hold yet are loaded from the database, won merges
 * go to its merger, and jobs that ended on another instance are forgotten here.
 */
public final class LocalQueue implements ClusterNode.Work {
  private static final Logger LOG = Logger.getLogger(LocalQueue.class.getName());

  private final Database db;
  private final Dispatcher dispatcher;
  private final Jobs jobs;
  private final Merger merger;
  private final int batch;

  /** Jobs adopted here, watched until they end somewhere. Only the cluster thread touches it. */
  private final Set<Long> held = new HashSet<>();

  /** Tasks queued here ahead per connected volunteer session (a poll comes every second). */
  static final int AHEAD = 8;

  public LocalQueue(Database db, Dispatcher dispatcher, Jobs jobs, Merger merger, int batch) {
    this.db = db;
    this.dispatcher = dispatcher;
    this.jobs = jobs;
    this.merger = merger;
    this.batch = batch;
  }

  @Override
  public void run(long job, BitSet claimed) {
    if (dispatcher.addTasks(job, claimed) || jobs.adopt(job, claimed)) {
      held.add(job);
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
  public void polled() {
    if (held.isEmpty()) {
      return;
    }
    List<Job> ended =
        db.transaction(
            s ->
                s.createSelectionQuery(
                        "from Job j where j.id in (:ids) and j.state in (:ended)", Job.class)
                    .setParameter("ids", held)
                    .setParameter(
                        "ended", List.of(JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED))
                    .getResultList());
    for (Job job : ended) {
      dispatcher.cancel(job.publicId(), "it ended on another instance");
      dispatcher.forgetSequence(job.id());
      held.remove(job.id());
      LOG.fine(() -> "forgot " + job.publicId() + ": " + job.state());
    }
  }
}
