package surge.kernels.control;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs a kernel on the server with Chicory (reducer kernels): arguments, environment and stdin in;
 * stdout, stderr and exit code out; under a time limit, a memory cap and an output cap.
 *
 * <p>The kernel runs on the calling thread, so the caller's pool bounds how many run at once. At
 * the time limit a watchdog interrupts the thread, again every 100 ms until the run has ended.
 * Kernels run compiled to JVM bytecode by Chicory's compiler (module {@code wasm-compiler}, with
 * its ASM relocated: Payara's own older ASM would otherwise win, {@code NoSuchMethodError
 * Remapper.<init>(int)}, measured), which checks the interrupt flag on every back edge, so a kernel
 * that loops stops and gives its CPU back. A function too large for one JVM method falls back to
 * the interpreter, where an execution listener checks the flag before every instruction (Chicory's
 * interpreter itself checks it only on {@code br} and calls, not on {@code br_if}, the back edge of
 * clang's loops). Compiled modules are kept by sha256, the last {@value #COMPILED_KEPT}.
 */
public final class KernelRunner implements AutoCloseable {
  private static final long PAGE = 65_536;
  private static final int STDERR_KEPT = 64 * 1024;
  private static final Duration NAG = Duration.ofMillis(100);
  private static final int COMPILED_KEPT = 16;

  /** A parsed module and its compiled machine, shared by every run of the same bytes. */
  private record Compiled(WasmModule module, Function<Instance, Machine> machine) {}

  private final Map<String, Compiled> compiled =
      new LinkedHashMap<>(COMPILED_KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Compiled> eldest) {
          return size() > COMPILED_KEPT;
        }
      };

  private final long memoryBytes;
  private final long outputBytes;
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "surge-kernel-watchdog");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param memoryBytes the most linear memory a kernel may have (SURGE_REDUCE_MEMORY)
   * @param outputBytes the most a kernel may write to stdout
   */
  public KernelRunner(long memoryBytes, long outputBytes) {
    if (memoryBytes < PAGE) {
      throw new IllegalArgumentException("a kernel needs at least one 64 KiB page of memory");
    }
    this.memoryBytes = memoryBytes;
    this.outputBytes = outputBytes;
  }

  /** What a kernel run produced. {@code exitCode} is -1 for a trap or a limit. */
  public record Outcome(int exitCode, byte[] stdout, byte[] stderr, String trap) {
    public boolean ok() {
      return exitCode == 0;
    }

    public String stderrText() {
      return new String(stderr, StandardCharsets.UTF_8);
    }
  }

  /**
   * Runs {@code wasm}'s {@code _start} on this thread.
   *
   * @throws TimeoutException when it ran longer than {@code limit} (it has stopped by then)
   */
  public Outcome run(
      byte[] wasm, List<String> args, Map<String, String> env, byte[] stdin, Duration limit)
      throws TimeoutException {
    var guard = new Guard(Thread.currentThread());
    var nag =
        watchdog.scheduleAtFixedRate(
            guard::expire, limit.toMillis(), NAG.toMillis(), TimeUnit.MILLISECONDS);
    try {
      Outcome outcome = runHere(wasm, args, env, stdin);
      if (guard.expired()) {
        throw new TimeoutException("ran longer than " + limit);
      }
      return outcome;
    } finally {
      guard.end();
      nag.cancel(false);
      Thread.interrupted(); // the watchdog's, if it came; this pool thread goes on to other work
    }
  }

  /** Interrupts the running thread once its time is up, until the run has ended. */
  private static final class Guard {
    private final Thread runner;
    private boolean ended;
    private boolean expired;

    Guard(Thread runner) {
      this.runner = runner;
    }

    synchronized void expire() {
      if (!ended) {
        expired = true;
        runner.interrupt();
      }
    }

    synchronized void end() {
      ended = true;
    }

    synchronized boolean expired() {
      return expired;
    }
  }

  private Outcome runHere(byte[] wasm, List<String> args, Map<String, String> env, byte[] stdin) {
    var out = new CappedOutput(outputBytes, false);
    var err = new CappedOutput(STDERR_KEPT, true);
    var options =
        WasiOptions.builder()
            .withArguments(args)
            .withStdin(new ByteArrayInputStream(stdin))
            .withStdout(out)
            .withStderr(err);
    env.forEach(options::withEnvironment);
    Instance instance = null;
    try (var wasi = WasiPreview1.builder().withOptions(options.build()).build()) {
      String key = sha256(wasm);
      Compiled known = cached(key);
      WasmModule module = known != null ? known.module() : Parser.parse(wasm);
      if (module.startSection().isPresent()) {
        return limit(out, err, "the kernel has a start section, which Surge does not run");
      }
      var memories = module.memorySection();
      if (memories.isEmpty() || memories.get().memoryCount() != 1) {
        return limit(out, err, "the kernel does not have exactly one memory, which WASI needs");
      }
      MemoryLimits declared = memories.get().getMemory(0).limits();
      long capPages = memoryBytes / PAGE;
      if (declared.initialPages() > capPages) {
        return limit(
            out,
            err,
            "the kernel declares "
                + declared.initialPages()
                + " pages of memory; the limit is "
                + capPages
                + " (SURGE_REDUCE_MEMORY = "
                + memoryBytes
                + " bytes)");
      }
      instance =
          Instance.builder(module)
              .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
              .withMemoryLimits(
                  new MemoryLimits(
                      declared.initialPages(), (int) Math.min(declared.maximumPages(), capPages)))
              .withUnsafeExecutionListener(
                  (instruction, stack) -> {
                    if (Thread.currentThread().isInterrupted()) {
                      throw new ChicoryInterruptedException("Thread interrupted");
                    }
                  })
              .withMachineFactory(known != null ? known.machine() : compile(key, module))
              .withStart(false)
              .build();
      instance.export("_start").apply();
      return new Outcome(0, out.toByteArray(), err.toByteArray(), null);
    } catch (WasiExitException e) {
      return new Outcome(e.exitCode(), out.toByteArray(), err.toByteArray(), null);
    } catch (CappedOutput.Full e) {
      return limit(out, err, e.getMessage());
    } catch (StackOverflowError e) {
      return limit(out, err, "call stack exhausted");
    } catch (RuntimeException e) {
      CappedOutput.Full full = causedBy(e);
      if (full != null) {
        return limit(out, err, full.getMessage());
      }
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      if (instance != null && instance.memory().pages() >= memoryBytes / PAGE) {
        why +=
            " (its memory had reached the limit of " + memoryBytes + " bytes, SURGE_REDUCE_MEMORY)";
      }
      return limit(out, err, why);
    }
  }

  private Compiled cached(String sha256) {
    synchronized (compiled) {
      return compiled.get(sha256);
    }
  }

  /**
   * Compiles a module that passed the checks above. Compilation runs on the caller's thread within
   * its time limit; its cost is bounded by the module's size, which the kernel store limits.
   */
  private Function<Instance, Machine> compile(String sha256, WasmModule module) {
    var machine =
        MachineFactoryCompiler.builder(module)
            .withInterpreterFallback(InterpreterFallback.SILENT)
            .compile();
    synchronized (compiled) {
      compiled.putIfAbsent(sha256, new Compiled(module, machine));
    }
    return machine;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static CappedOutput.Full causedBy(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CappedOutput.Full full) {
        return full;
      }
    }
    return null;
  }

  private static Outcome limit(CappedOutput out, CappedOutput err, String why) {
    return new Outcome(-1, out.toByteArray(), err.toByteArray(), why);
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
  }
}
