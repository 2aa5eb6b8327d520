package surge.verification.control;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.dispatch.DispatchJob;
import surge.dispatch.Dispatcher;
import surge.dispatch.JobProgress;
import surge.dispatch.Verify;
import surge.kernels.control.KernelRunner;
import surge.kernels.control.Kernels;

/**
 * The server computes a few tasks of each adaptive job itself (SURGE_SPOT_CHECK_POOL, chosen at
 * random), with the reducers' sandbox: bounded memory, output and time, one at a time, never more
 * than a bounded backlog. Their answers are known to be right, so they become spot checks for the
 * job's volunteers; a run that fails or overruns is simply not a known answer.
 */
public final class ServerRuns implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ServerRuns.class.getName());
  private static final int BACKLOG = 1024;
  private static final String PROGRAM_NAME = "kernel";

  private final Kernels kernels;
  private final KernelRunner runner;
  private final Dispatcher dispatcher;
  private final int pool;
  private final Duration timeout;
  private final ThreadPoolExecutor executor;
  private final java.util.Random random =
      new java.util.Random(new java.security.SecureRandom().nextLong());

  public ServerRuns(
      Kernels kernels, KernelRunner runner, Dispatcher dispatcher, int pool, Duration timeout) {
    this.kernels = kernels;
    this.runner = runner;
    this.dispatcher = dispatcher;
    this.pool = pool;
    this.timeout = timeout;
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(BACKLOG),
            r -> {
              Thread t = new Thread(r, "surge-server-runs");
              t.setDaemon(true);
              t.setPriority(Thread.MIN_PRIORITY);
              return t;
            });
  }

  /** Plans the known answers of a job just handed to the dispatcher (adaptive jobs only). */
  public void plan(DispatchJob job) {
    if (pool == 0 || job.verify().mode() != Verify.Mode.ADAPTIVE) {
      return;
    }
    // A uniform sample of at most 64 distinct indices, without listing a million-task job's all.
    var sample = new java.util.LinkedHashSet<Integer>();
    int wanted = Math.min(pool, job.taskCount());
    while (sample.size() < wanted) {
      sample.add(random.nextInt(job.taskCount()));
    }
    for (int index : sample) {
      try {
        executor.execute(() -> run(job, index));
      } catch (RejectedExecutionException e) {
        LOG.fine(() -> "server runs backlog full; " + job.id() + " gets fewer known answers");
        return;
      }
    }
  }

  private void run(DispatchJob job, int index) {
    var phase = dispatcher.progress(job.id()).map(p -> p.phase());
    if (phase.isEmpty()
        || !(phase.get() == JobProgress.Phase.QUEUED || phase.get() == JobProgress.Phase.RUNNING)) {
      return; // ended or merging meanwhile
    }
    var payload = job.payloads().apply(index);
    var wasm = kernels.bytes(payload.kernel());
    if (wasm.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    try {
      // argv[0] as the volunteers' runtime gives it (worker-runtime/src/run-kernel.js).
      List<String> argv = new ArrayList<>(payload.args().size() + 1);
      argv.add(PROGRAM_NAME);
      argv.addAll(payload.args());
      var outcome = runner.run(wasm.get(), argv, payload.env(), payload.stdin(), timeout);
      double millis = (System.nanoTime() - start) / 1e6;
      if (outcome.ok()) {
        dispatcher.serverResult(job.id(), index, outcome.stdout(), millis);
      } else {
        LOG.info(
            () ->
                "server run of task "
                    + index
                    + " of "
                    + job.id()
                    + " failed (exit "
                    + outcome.exitCode()
                    + "); not a known answer");
      }
    } catch (TimeoutException e) {
      LOG.info(
          () ->
              "server run of task "
                  + index
                  + " of "
                  + job.id()
                  + " took longer than "
                  + timeout
                  + " (SURGE_SERVER_RUN_TIMEOUT); not a known answer");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "server run of task " + index + " of " + job.id() + " failed", e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
