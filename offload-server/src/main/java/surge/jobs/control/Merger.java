package surge.jobs.control;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.api.Problem;
import surge.jobs.entity.Job;
import surge.jobs.entity.JobResult;
import surge.jobs.entity.TaskOutput;
import surge.kernels.control.KernelRunner;
import surge.kernels.control.Kernels;
import surge.persistence.Database;

/**
 * Turns a job's task outputs into its result once every output is stored: concat, sum, or a reducer
 * kernel run on the server. Runs off the dispatch path, one job at a time.
 */
public final class Merger implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Merger.class.getName());

  private final Database db;
  private final Kernels kernels;
  private final KernelRunner runner;
  private final Duration reduceTimeout;
  private final Clock clock;
  private final LongConsumer onEnded;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "surge-merger");
            t.setDaemon(true);
            return t;
          });

  public Merger(
      Database db,
      Kernels kernels,
      KernelRunner runner,
      Duration reduceTimeout,
      Clock clock,
      LongConsumer onEnded) {
    this.db = db;
    this.kernels = kernels;
    this.runner = runner;
    this.reduceTimeout = reduceTimeout;
    this.clock = clock;
    this.onEnded = onEnded;
  }

  /** Merges the job in the background. */
  public void mergeLater(long jobId) {
    thread.submit(
        () -> {
          try {
            merge(jobId);
          } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "merging job #" + jobId + " failed", e);
            fail(jobId, "merging failed: " + e);
          } finally {
            onEnded.accept(jobId);
          }
        });
  }

  void merge(long jobId) {
    Job job = db.transaction(s -> s.find(Job.class, jobId));
    if (job == null || job.state().ended()) {
      return;
    }
    List<TaskOutput> outputs =
        db.transaction(
            s ->
                s.createSelectionQuery(
                        "from TaskOutput t where t.jobId = :job order by t.taskIndex",
                        TaskOutput.class)
                    .setParameter("job", jobId)
                    .getResultList());
    if (outputs.size() != job.taskCount()) {
      fail(
          jobId,
          "merging found " + outputs.size() + " task outputs for " + job.taskCount() + " tasks");
      return;
    }
    byte[] result;
    try {
      result = combine(job, outputs);
    } catch (SumMerge.MergeFailure e) {
      fail(jobId, e.getMessage());
      return;
    } catch (ReduceFailure e) {
      db.run(
          s ->
              s.find(Job.class, jobId)
                  .fail(
                      e.getMessage(),
                      OptionalInt.empty(),
                      e.exitCode,
                      Optional.of(e.stderr),
                      clock.instant()));
      return;
    }
    db.run(
        s -> {
          s.persist(new JobResult(jobId, result));
          s.find(Job.class, jobId).succeed(result.length, clock.instant());
          s.createMutationQuery("delete from TaskOutput t where t.jobId = :job")
              .setParameter("job", jobId)
              .executeUpdate();
        });
    LOG.info(() -> job.publicId() + " succeeded: " + result.length + " bytes");
  }

  private byte[] combine(Job job, List<TaskOutput> outputs) {
    switch (job.mergeKind()) {
      case SUM -> {
        var sum = new SumMerge();
        for (TaskOutput o : outputs) {
          sum.add(o.taskIndex(), o.stdout());
        }
        return sum.result();
      }
      case CONCAT -> {
        return concat(outputs);
      }
      case REDUCE -> {
        return reduce(job, concat(outputs));
      }
      default -> throw new IllegalStateException("unknown merge " + job.mergeKind());
    }
  }

  private static byte[] concat(List<TaskOutput> outputs) {
    var out = new ByteArrayOutputStream();
    for (TaskOutput o : outputs) {
      out.writeBytes(o.stdout());
    }
    return out.toByteArray();
  }

  private byte[] reduce(Job job, byte[] all) {
    String sha = job.reducer().orElseThrow();
    byte[] wasm =
        kernels
            .bytes(sha)
            .orElseThrow(() -> Problem.notFound("the reducer kernel " + sha + " is gone"));
    KernelRunner.Outcome outcome;
    try {
      outcome =
          runner.run(
              wasm,
              List.of("reduce"),
              Map.of("SURGE_TASK_COUNT", Integer.toString(job.taskCount())),
              all,
              reduceTimeout);
    } catch (TimeoutException e) {
      throw new ReduceFailure(
          "the reducer kernel ran longer than " + reduceTimeout + " (SURGE_REDUCE_TIMEOUT)",
          OptionalInt.empty(),
          "");
    }
    if (!outcome.ok()) {
      String what =
          outcome.trap() != null
              ? "the reducer kernel trapped: " + outcome.trap()
              : "the reducer kernel exited with code " + outcome.exitCode();
      throw new ReduceFailure(what, OptionalInt.of(outcome.exitCode()), outcome.stderrText());
    }
    return outcome.stdout();
  }

  private void fail(long jobId, String message) {
    db.run(
        s -> {
          Job job = s.find(Job.class, jobId);
          if (job != null) {
            job.fail(
                message,
                OptionalInt.empty(),
                OptionalInt.empty(),
                Optional.empty(),
                clock.instant());
          }
        });
  }

  private static final class ReduceFailure extends RuntimeException {
    final OptionalInt exitCode;
    final String stderr;

    ReduceFailure(String message, OptionalInt exitCode, String stderr) {
      super(message);
      this.exitCode = exitCode;
      this.stderr = stderr.length() > 4096 ? stderr.substring(stderr.length() - 4096) : stderr;
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
