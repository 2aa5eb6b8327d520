package surge.jobs.control;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.api.Problem;
import surge.jobs.entity.Job;
import surge.jobs.entity.JobResult;
import surge.jobs.entity.MergeKind;
import surge.jobs.entity.TaskOutput;
import surge.kernels.control.KernelRunner;
import surge.kernels.control.Kernels;
import surge.persistence.Database;

/**
 * Turns a job's task outputs into its result once every output is stored: concat, sum, or a reducer
 * kernel run on the server. Runs off the dispatch path on two bounded pools of SURGE_MERGE_WORKERS
 * threads each: one gathers outputs and does concat and sum, the other runs reducer kernels (each
 * under SURGE_REDUCE_TIMEOUT and SURGE_REDUCE_MEMORY). A reducer that loops holds one reducer
 * thread until its time is up; no concat or sum waits behind it, nor, while another reducer thread
 * is free, another job's reducer.
 */
public final class Merger implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Merger.class.getName());

  private final Database db;
  private final Kernels kernels;
  private final KernelRunner runner;
  private final Duration reduceTimeout;
  private final Clock clock;
  private final LongConsumer onEnded;
  private final ResultCheck resultCheck;
  private final int queueBound;
  private final ThreadPoolExecutor merges;
  private final ThreadPoolExecutor reducers;
  private SharedState shared = SharedState.NONE;

  /**
   * @param workers threads of each pool (SURGE_MERGE_WORKERS)
   * @param queueBound merges waiting in each pool before more are refused (SURGE_MERGE_QUEUE)
   * @param onEnded called once a job's merge has ended, whatever its outcome
   */
  public Merger(
      Database db,
      Kernels kernels,
      KernelRunner runner,
      Duration reduceTimeout,
      int workers,
      int queueBound,
      Clock clock,
      LongConsumer onEnded,
      ResultCheck resultCheck) {
    this.resultCheck = resultCheck;
    this.db = db;
    this.kernels = kernels;
    this.runner = runner;
    this.reduceTimeout = reduceTimeout;
    this.clock = clock;
    this.onEnded = onEnded;
    this.queueBound = queueBound;
    this.merges = pool("surge-merger-", workers, queueBound);
    this.reducers = pool("surge-reducer-", workers, queueBound);
  }

  private static ThreadPoolExecutor pool(String name, int threads, int queueBound) {
    var count = new AtomicInteger();
    return new ThreadPoolExecutor(
        threads,
        threads,
        0,
        TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(queueBound),
        r -> {
          Thread t = new Thread(r, name + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Shares merges with other instances: a result or a failure is stored only while this instance
   * holds the job's merge claim (set once, before the first merge).
   */
  public void share(SharedState shared) {
    this.shared = shared;
  }

  /**
   * Stores the end of a merge in one transaction, unless another instance took the merge over (its
   * lease lapsed meanwhile): then nothing is written and that instance stores it.
   */
  private void fenced(long jobId, java.util.function.Consumer<org.hibernate.Session> work) {
    db.run(
        s -> {
          if (shared.on() && !s.doReturningWork(c -> shared.mayStoreMerge(c, jobId))) {
            LOG.warning(
                () ->
                    "job #"
                        + jobId
                        + ": not storing its merge; this instance's claim on it lapsed and"
                        + " another instance merges it");
            return;
          }
          work.accept(s);
        });
  }

  /** Merges the job in the background. */
  public void mergeLater(long jobId) {
    submit(merges, jobId, () -> merge(jobId));
  }

  /**
   * Runs {@code work} for the job on {@code pool}. The work answers whether the job's merge ended
   * there (false: it handed the job on to the other pool, which ends it).
   */
  private void submit(ThreadPoolExecutor pool, long jobId, BooleanSupplier work) {
    try {
      pool.execute(
          () -> {
            boolean ended = true;
            try {
              ended = work.getAsBoolean();
            } catch (RuntimeException | LinkageError | StackOverflowError e) {
              // An Error too: a job left MERGING would wait for a restart to be merged again.
              LOG.log(Level.SEVERE, "merging job #" + jobId + " failed", e);
              fail(jobId, "merging failed: " + e);
            } finally {
              if (ended) {
                onEnded.accept(jobId);
              }
            }
          });
    } catch (RejectedExecutionException e) {
      if (pool.isShutdown()) {
        // The server is stopping: the job stays MERGING and is merged after the restart.
        return;
      }
      fail(
          jobId,
          "the server had "
              + queueBound
              + " merges waiting already (SURGE_MERGE_QUEUE); submit the job again later");
      onEnded.accept(jobId);
    }
  }

  /** Gathers the outputs; concat and sum here, a reducer handed on. */
  boolean merge(long jobId) {
    Job job = db.transaction(s -> s.find(Job.class, jobId));
    if (job == null || job.state().ended()) {
      return true;
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
      return true;
    }
    if (job.mergeKind() == MergeKind.REDUCE) {
      byte[] all = concat(outputs);
      submit(reducers, jobId, () -> reduceAndStore(job, all));
      return false;
    }
    byte[] result;
    try {
      result = combine(job, outputs);
    } catch (SumMerge.MergeFailure e) {
      fail(jobId, e.getMessage());
      return true;
    }
    store(job, result);
    return true;
  }

  private boolean reduceAndStore(Job job, byte[] all) {
    long jobId = job.id();
    byte[] result;
    try {
      result = reduce(job, all);
    } catch (ReduceFailure e) {
      LOG.info(() -> job.publicId() + " failed: " + e.getMessage());
      fenced(
          jobId,
          s ->
              s.find(Job.class, jobId)
                  .fail(
                      e.getMessage(),
                      OptionalInt.empty(),
                      e.exitCode,
                      Optional.of(e.stderr),
                      clock.instant()));
      return true;
    }
    store(job, result);
    return true;
  }

  /** Stores the result, unless its owner's results quota refuses it (the job fails then). */
  private void store(Job job, byte[] result) {
    Optional<String> refusal = resultCheck.refusal(job, result.length);
    if (refusal.isPresent()) {
      fail(job.id(), refusal.get());
      return;
    }
    succeed(job, result);
  }

  private void succeed(Job job, byte[] result) {
    long jobId = job.id();
    fenced(
        jobId,
        s -> {
          s.persist(new JobResult(jobId, result));
          s.find(Job.class, jobId).succeed(result.length, clock.instant());
          s.createMutationQuery("delete from TaskOutput t where t.jobId = :job")
              .setParameter("job", jobId)
              .executeUpdate();
        });
    LOG.info(() -> job.publicId() + " succeeded: " + result.length + " bytes");
  }

  private static byte[] combine(Job job, List<TaskOutput> outputs) {
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
      default -> throw new IllegalStateException("not a built-in merge: " + job.mergeKind());
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
              ? "the reducer kernel failed: " + outcome.trap()
              : "the reducer kernel exited with code " + outcome.exitCode();
      throw new ReduceFailure(what, OptionalInt.of(outcome.exitCode()), outcome.stderrText());
    }
    return outcome.stdout();
  }

  private void fail(long jobId, String message) {
    fenced(
        jobId,
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

  /**
   * Whether a job may store a result of this many bytes (its owner's results quota); the reason
   * when not, which fails the job.
   */
  @FunctionalInterface
  public interface ResultCheck {
    Optional<String> refusal(Job job, long bytes);
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
    merges.shutdownNow();
    reducers.shutdownNow();
  }
}
