package surge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files from the rest of the repository that tests use: goldens, built kernels, baselines. */
public final class TestFiles {
  private TestFiles() {}

  /** The repository root (the parent of offload-server). */
  public static Path repo() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("protocol")) ? here : here.getParent();
  }

  /** A kernel built by the examples module; fails loudly if the build has not made it. */
  public static byte[] kernel(String name) {
    Path p = repo().resolve("examples/kernels/build/wasm/" + name + ".wasm");
    if (!Files.exists(p)) {
      throw new IllegalStateException(
          p + " is missing: build the kernels (make -C examples/kernels)");
    }
    return read(p);
  }

  public static Path native_(String name) {
    Path p = repo().resolve("examples/kernels/build/native/" + name);
    if (!Files.exists(p)) {
      throw new IllegalStateException(
          p + " is missing: build the kernels (make -C examples/kernels)");
    }
    return p;
  }

  public static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a program and returns its stdout; fails if it exits non-zero. */
  public static byte[] run(String... command) {
    try {
      Process p =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
