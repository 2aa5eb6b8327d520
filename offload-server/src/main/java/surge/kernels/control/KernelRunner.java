package surge.kernels.control;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * Runs a kernel on the server with Chicory (used for reducer kernels): arguments, environment and
 * stdin in; stdout, stderr and exit code out. A run that exceeds its time limit is interrupted.
 */
public final class KernelRunner implements AutoCloseable {
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "surge-kernel-runner");
            t.setDaemon(true);
            return t;
          });

  /** What a kernel run produced. {@code exitCode} is -1 for a trap. */
  public record Outcome(int exitCode, byte[] stdout, byte[] stderr, String trap) {
    public boolean ok() {
      return exitCode == 0;
    }

    public String stderrText() {
      return new String(stderr, StandardCharsets.UTF_8);
    }
  }

  public Outcome run(
      byte[] wasm, List<String> args, Map<String, String> env, byte[] stdin, Duration limit)
      throws TimeoutException {
    Future<Outcome> f = threads.submit(() -> runHere(wasm, args, env, stdin));
    try {
      return f.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw e;
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running a kernel", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the kernel runner failed: " + e.getCause(), e.getCause());
    }
  }

  private static Outcome runHere(
      byte[] wasm, List<String> args, Map<String, String> env, byte[] stdin) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var options =
        WasiOptions.builder()
            .withArguments(args)
            .withStdin(new ByteArrayInputStream(stdin))
            .withStdout(out)
            .withStderr(err);
    env.forEach(options::withEnvironment);
    try (var wasi = WasiPreview1.builder().withOptions(options.build()).build()) {
      var instance =
          Instance.builder(Parser.parse(wasm))
              .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
              .withStart(false)
              .build();
      instance.export("_start").apply();
      return new Outcome(0, out.toByteArray(), err.toByteArray(), null);
    } catch (WasiExitException e) {
      return new Outcome(e.exitCode(), out.toByteArray(), err.toByteArray(), null);
    } catch (ChicoryException e) {
      return new Outcome(-1, out.toByteArray(), err.toByteArray(), e.getMessage());
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
