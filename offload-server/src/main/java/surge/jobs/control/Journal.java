package surge.jobs.control;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.hibernate.Session;
import surge.dispatch.JobEvents;
import surge.dispatch.JobFailure;
import surge.dispatch.VerificationReport;
import surge.jobs.entity.Job;
import surge.jobs.entity.TaskOutput;
import surge.persistence.Database;

/**
 * Writes what the dispatcher decided, in order, in batches: one transaction carries every event
 * that arrived while the previous one committed, so the hot path never pays a transaction per
 * result. After a commit it hands completed jobs to the merger and ended jobs back to the
 * dispatcher to forget.
 *
 * <p>A result that is accepted but not yet committed when the server dies is not lost: its task has
 * no stored output, so it is queued again after the restart.
 */
public final class Journal implements JobEvents, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Journal.class.getName());
  private static final int MAX_BATCH = 2048;

  private sealed interface Event {
    long job();
  }

  private record Started(long job, Instant at) implements Event {}

  private record Done(long job, int index, byte[] stdout, double millis) implements Event {}

  private record Completed(long job) implements Event {}

  private record Undone(long job, int index) implements Event {}

  private record Verified(long job, VerificationReport report) implements Event {}

  private record Failed(long job, JobFailure failure, Instant at) implements Event {}

  private record Cancelled(long job, String reason, Instant at) implements Event {}

  private final Database db;
  private final Clock clock;
  private final LongConsumer onCompleted;
  private final LongConsumer onEnded;
  private final SharedState shared;
  private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean running = true;

  /**
   * The latest write failed; cleared by the next that succeeds (the writer retries until one does).
   */
  private volatile boolean failing;

  /**
   * @param onCompleted called with a job's id once all its task outputs are committed
   * @param onEnded called with a job's id once its failure or cancellation is committed
   */
  public Journal(Database db, Clock clock, LongConsumer onCompleted, LongConsumer onEnded) {
    this(db, clock, onCompleted, onEnded, SharedState.NONE);
  }

  /**
   * As above, with state shared with other instances: a result is written only while this instance
   * holds its task's claim, and a job this instance completed is merged by whoever claims its merge
   * once every instance's tasks are done.
   */
  public Journal(
      Database db,
      Clock clock,
      LongConsumer onCompleted,
      LongConsumer onEnded,
      SharedState shared) {
    this.shared = shared;
    this.db = db;
    this.clock = clock;
    this.onCompleted = onCompleted;
    this.onEnded = onEnded;
    this.writer = new Thread(this::writeLoop, "surge-journal");
    this.writer.setDaemon(true);
  }

  public void start() {
    writer.start();
  }

  @Override
  public void jobStarted(String job, Instant at) {
    queue.add(new Started(id(job), at));
  }

  @Override
  public void taskDone(String job, int index, byte[] stdout, double millis) {
    queue.add(new Done(id(job), index, stdout, millis));
  }

  @Override
  public void taskUndone(String job, int index) {
    queue.add(new Undone(id(job), index));
  }

  @Override
  public void verification(String job, VerificationReport report) {
    queue.add(new Verified(id(job), report));
  }

  @Override
  public void jobCompleted(String job) {
    queue.add(new Completed(id(job)));
  }

  @Override
  public void jobFailed(String job, JobFailure failure) {
    queue.add(new Failed(id(job), failure, clock.instant()));
  }

  @Override
  public void jobCancelled(String job, String reason) {
    queue.add(new Cancelled(id(job), reason, clock.instant()));
  }

  private static long id(String publicId) {
    return Job.parseId(publicId)
        .orElseThrow(() -> new IllegalArgumentException("not a job id: " + publicId));
  }

  /** Events accepted but not yet committed. */
  public int pending() {
    return queue.size();
  }

  /**
   * True unless the writer stopped or its latest write failed. Healthy again as soon as a write
   * succeeds: a two-second database outage is not a minute of 503s on {@code /health}.
   */
  public boolean healthy() {
    return writer.isAlive() && !failing;
  }

  private void writeLoop() {
    List<Event> batch = new ArrayList<>(MAX_BATCH);
    while (running || !queue.isEmpty()) {
      try {
        Event first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        commit(batch);
        batch.clear();
      } catch (InterruptedException e) {
        if (!running) {
          queue.drainTo(batch);
          commit(batch);
          return;
        }
      }
    }
  }

  /** Writes a batch; never gives up on events while the database is unreachable. */
  private void commit(List<Event> batch) {
    long backoff = 100;
    while (true) {
      try {
        db.run(s -> apply(s, batch));
        failing = false;
        afterCommit(batch);
        return;
      } catch (RuntimeException e) {
        failing = true;
        if (db.ping()) {
          // The database is fine, so one event is at fault: write them one by one, drop the bad.
          LOG.log(Level.WARNING, "journal batch failed; writing its events one by one", e);
          for (Event event : batch) {
            try {
              db.run(s -> apply(s, List.of(event)));
              afterCommit(List.of(event));
            } catch (RuntimeException single) {
              LOG.log(Level.SEVERE, "journal dropped " + event, single);
            }
          }
          failing = false; // the database answers: the next batch is written as usual
          return;
        }
        LOG.log(Level.SEVERE, "database unreachable; retrying journal batch in " + backoff + " ms");
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
        backoff = Math.min(5_000, backoff * 2);
      }
    }
  }

  private void apply(Session s, List<Event> batch) {
    Map<Long, Job> jobs = new HashMap<>();
    Map<Long, Integer> done = new HashMap<>();
    List<Done> outputs = new ArrayList<>();
    for (Event e : batch) {
      if (e instanceof Done d) {
        outputs.add(d);
        done.merge(d.job(), 1, Integer::sum);
        continue;
      }
      if (e instanceof Undone u) {
        insertOutputs(s, outputs, done); // the output may have been written in this very batch
        if (shared.on()) {
          s.doWork(c -> shared.reopen(c, u.job(), u.index()));
        }
        s.createMutationQuery("delete from TaskOutput t where t.jobId = :job and t.taskIndex = :i")
            .setParameter("job", u.job())
            .setParameter("i", u.index())
            .executeUpdate();
        done.merge(u.job(), -1, Integer::sum);
        continue;
      }
      Job job = jobs.computeIfAbsent(e.job(), id -> s.find(Job.class, id));
      if (job == null) {
        continue;
      }
      if (e instanceof Started st) {
        if (shared.on()) {
          // Another instance may have moved the job on already: only QUEUED becomes RUNNING.
          s.createMutationQuery(
                  "update Job j set j.state = :running, j.startedAt = :at"
                      + " where j.id = :id and j.state = :queued")
              .setParameter("running", surge.jobs.entity.JobState.RUNNING)
              .setParameter("queued", surge.jobs.entity.JobState.QUEUED)
              .setParameter("at", st.at())
              .setParameter("id", job.id())
              .executeUpdate();
          continue;
        }
        job.start(st.at());
      } else if (e instanceof Verified v) {
        // Shared: each instance reports the part it verified, when it lets the job go.
        job.verified(
            shared.on()
                ? JobReports.add(job.verifyReport(), v.report())
                : JobReports.store(v.report()));
      } else if (e instanceof Completed) {
        if (!shared.on()) {
          job.merging(); // shared: whoever claims the merge, once every instance is done
        }
      } else if (e instanceof Failed f) {
        var failure = f.failure();
        job.fail(
            failure.message(), failure.task(), failure.exitCode(), failure.stderrTail(), f.at());
        endShared(s, f.job());
      } else if (e instanceof Cancelled c) {
        job.cancel(c.reason(), c.at());
        endShared(s, c.job());
      }
    }
    insertOutputs(s, outputs, done);
    if (shared.on()) {
      // Other instances count too: progress is read from the claims (SharedState.counts).
      return;
    }
    done.forEach(
        (id, n) -> {
          Job job = jobs.computeIfAbsent(id, k -> s.find(Job.class, k));
          if (job != null) {
            job.countDone(n);
          }
        });
  }

  /**
   * Writes the collected task outputs as one JDBC batch and empties the list: the one write per
   * task on the hot path, so it skips the entity machinery ({@link TaskOutput} as an entity per
   * task was about a quarter of the server's Java CPU samples, docs/benchmarks/coldstart.md). The
   * columns are {@link TaskOutput}'s; reads still go through the entity.
   */
  private void insertOutputs(Session s, List<Done> outputs, Map<Long, Integer> done) {
    if (outputs.isEmpty()) {
      return;
    }
    s.flush();
    s.doWork(
        connection -> {
          List<Done> admitted = outputs;
          if (shared.on()) {
            admitted = admitted(connection, outputs, done);
          }
          try (var insert = connection.prepareStatement(TaskOutput.INSERT)) {
            for (Done d : admitted) {
              insert.setLong(1, d.job());
              insert.setInt(2, d.index());
              insert.setBytes(3, d.stdout());
              insert.setDouble(4, d.millis());
              insert.addBatch();
            }
            insert.executeBatch();
          }
        });
    outputs.clear();
  }

  /**
   * The fence: only the results whose claims this instance still holds under its lease; the others
   * (its lease lapsed and another instance claimed the task) are dropped, uncounted.
   */
  private List<Done> admitted(java.sql.Connection c, List<Done> outputs, Map<Long, Integer> done)
      throws java.sql.SQLException {
    long[] jobs = new long[outputs.size()];
    int[] indices = new int[outputs.size()];
    for (int i = 0; i < jobs.length; i++) {
      jobs[i] = outputs.get(i).job();
      indices[i] = outputs.get(i).index();
    }
    var admitted = shared.admit(c, jobs, indices);
    if (admitted.cardinality() == jobs.length) {
      return outputs;
    }
    List<Done> kept = new ArrayList<>(admitted.cardinality());
    for (int i = 0; i < jobs.length; i++) {
      if (admitted.get(i)) {
        kept.add(outputs.get(i));
      } else {
        done.merge(jobs[i], -1, Integer::sum);
        LOG.warning(
            "dropped the result of task "
                + indices[i]
                + " of job #"
                + jobs[i]
                + ": this instance's claim on it lapsed and another instance holds it");
      }
    }
    return kept;
  }

  private void endShared(Session s, long job) {
    if (shared.on()) {
      s.doWork(c -> shared.ended(c, job));
    }
  }

  private void afterCommit(List<Event> batch) {
    shared.committed();
    for (Event e : batch) {
      if (e instanceof Completed && shared.on()) {
        continue; // shared: the merge is claimed once every instance's tasks are done
      } else if (e instanceof Completed) {
        onCompleted.accept(e.job());
      } else if (e instanceof Failed || e instanceof Cancelled) {
        onEnded.accept(e.job());
      }
    }
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    running = false;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
