package surge.verification.control;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.dispatch.Validator;
import surge.kernels.control.KernelRunner;

/**
 * Runs validator kernels ({@code compare: kernel:SHA}, docs/verification.md) in the reducers'
 * sandbox, on a bounded pool of their own so that a slow validator delays no merge and no dispatch.
 *
 * <p>The contract: argv {@code kernel validate}, environment {@code SURGE_TASK_INDEX} and {@code
 * SURGE_CANDIDATES=N}; stdin holds the N candidate outputs, each as its length in decimal, a
 * newline, then its bytes. The validator prints N whole numbers separated by white space: for each
 * candidate, the index of the first candidate it agrees with (its own if none before it).
 */
public final class Validators implements Validator, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Validators.class.getName());

  private final java.util.function.Function<String, java.util.Optional<byte[]>> kernels;
  private final KernelRunner runner;
  private final Duration timeout;
  private final ThreadPoolExecutor executor;

  /**
   * @param kernels a stored kernel's bytes by sha256 ({@code Kernels::bytes})
   */
  public Validators(
      java.util.function.Function<String, java.util.Optional<byte[]>> kernels,
      KernelRunner runner,
      Duration timeout,
      int workers,
      int queue) {
    this.kernels = kernels;
    this.runner = runner;
    this.timeout = timeout;
    this.executor =
        new ThreadPoolExecutor(
            workers,
            workers,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queue),
            r -> {
              Thread t = new Thread(r, "surge-validators");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void judge(
      String sha256, String job, int index, List<byte[]> candidates, Consumer<Verdict> done) {
    try {
      executor.execute(() -> done.accept(run(sha256, index, candidates)));
    } catch (RejectedExecutionException e) {
      // Answered on another thread all the same: the caller may hold the dispatcher's lock.
      java.util.concurrent.CompletableFuture.runAsync(
          () ->
              done.accept(
                  Verdict.failed(
                      "the server's validator queue is full (SURGE_MERGE_QUEUE); try again"
                          + " later")));
    }
  }

  /** Frames the candidates, runs the validator, reads its labels. */
  Verdict run(String sha256, int index, List<byte[]> candidates) {
    var wasm = kernels.apply(sha256);
    if (wasm.isEmpty()) {
      return new Verdict(null, "no validator kernel " + sha256 + " is stored");
    }
    var stdin = new ByteArrayOutputStream();
    for (byte[] c : candidates) {
      stdin.writeBytes((c.length + "\n").getBytes(StandardCharsets.US_ASCII));
      stdin.writeBytes(c);
    }
    KernelRunner.Outcome outcome;
    try {
      outcome =
          runner.run(
              wasm.get(),
              List.of("kernel", "validate"),
              Map.of(
                  "SURGE_TASK_INDEX",
                  Integer.toString(index),
                  "SURGE_CANDIDATES",
                  Integer.toString(candidates.size())),
              stdin.toByteArray(),
              timeout);
    } catch (TimeoutException e) {
      return new Verdict(null, "it ran longer than " + timeout + " (SURGE_REDUCE_TIMEOUT)");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "validator " + sha256 + " failed", e);
      return new Verdict(null, "it could not run: " + e.getMessage());
    }
    if (!outcome.ok()) {
      String err = outcome.stderrText().strip();
      return new Verdict(
          null,
          (outcome.trap() != null
                  ? "it trapped: " + outcome.trap()
                  : "it exited with code " + outcome.exitCode())
              + (err.isEmpty()
                  ? ""
                  : "; stderr: " + err.substring(Math.max(0, err.length() - 500))));
    }
    String[] words = new String(outcome.stdout(), StandardCharsets.US_ASCII).strip().split("\\s+");
    int[] labels = new int[words.length];
    try {
      for (int i = 0; i < words.length; i++) {
        labels[i] = Integer.parseInt(words[i]);
      }
    } catch (NumberFormatException e) {
      return new Verdict(
          null,
          "its output is not whole numbers, one per candidate: '"
              + abbreviate(outcome.stdout())
              + "'");
    }
    return new Verdict(labels, null);
  }

  private static String abbreviate(byte[] out) {
    String s = new String(out, StandardCharsets.UTF_8);
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
