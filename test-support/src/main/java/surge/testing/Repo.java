package surge.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's pieces are that the tests start: bin/, the built kernels. */
public final class Repo {
  private Repo() {}

  /**
   * The repository root: {@code -Dsurge.it.repo} (offload-server's failsafe sets it), else the
   * working directory or its parent, whichever holds {@code bin/surge-server}.
   */
  public static final Path ROOT = root();

  private static Path root() {
    String given = System.getProperty("surge.it.repo");
    if (given != null) {
      return Path.of(given).toAbsolutePath().normalize();
    }
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("bin/surge-server")) ? here : here.getParent();
  }

  /** A file of the repository, e.g. {@code bin/surge}. */
  public static Path file(String relative) {
    return ROOT.resolve(relative);
  }

  /** {@code examples/kernels/build/wasm/NAME.wasm}, which must have been built. */
  public static Path kernel(String name) {
    Path p = ROOT.resolve("examples/kernels/build/wasm/" + name + ".wasm");
    if (!Files.exists(p)) {
      throw new IllegalStateException(p + " is missing: make -C examples/kernels first");
    }
    return p;
  }
}
