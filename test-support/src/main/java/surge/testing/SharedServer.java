package surge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One server process shared by every test class that registers the same {@code SharedServer}: a
 * Payara start (15-25 s here) is paid once for a feature's several IT classes, not once per class.
 *
 * <p>One shared server runs at a time on this two-core machine: a class that asks for another one
 * stops the running one first (so order the classes that share one next to each other, as their
 * names do), and the last one stops when the test run ends. Each start begins with an empty data
 * directory, {@code ${surge.it.data}/NAME} (failsafe sets {@code surge.it.data}).
 *
 * <pre>{@code @RegisterExtension static final SharedServer server = ItServers.REST;}</pre>
 */
public final class SharedServer implements BeforeAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedServer.class);

  private static SharedServer running;
  private static ServerProcess process;

  private final String name;
  private final Map<String, String> env;

  /** A server called {@code name} (its data directory's name) with these SURGE_* settings. */
  public SharedServer(String name, Map<String, String> env) {
    this.name = name;
    this.env = Map.copyOf(env);
  }

  public String name() {
    return name;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (SharedServer.class) {
      if (running != this || process == null || !process.isAlive()) {
        stopRunning();
        awaitOtherPayaraExit();
        Path data = dataRoot().resolve(name);
        deleteRecursively(data);
        process = ServerProcess.start(data, env);
        running = this;
      }
    }
    // Stops whichever shared server still runs when the whole test run ends.
    context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            "stop-at-end",
            k -> (ExtensionContext.Store.CloseableResource) SharedServer::stopRunning,
            ExtensionContext.Store.CloseableResource.class);
  }

  /** The running server of this name; only between its classes' beforeAll and the run's end. */
  public ServerProcess server() {
    synchronized (SharedServer.class) {
      if (running != this || process == null) {
        throw new IllegalStateException("the shared server " + name + " is not running");
      }
      return process;
    }
  }

  /** {@code http://localhost:PORT/}, with the trailing slash relative paths resolve against. */
  public URL base() {
    try {
      return URI.create(server().url() + "/").toURL();
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Stops the shared server that runs, if any: for a test that needs the machine to itself (an
   * Arquillian-managed Payara, say) before it starts its own server.
   */
  public static void stopRunning() {
    synchronized (SharedServer.class) {
      if (process != null) {
        process.close();
      }
      process = null;
      running = null;
    }
  }

  /**
   * Waits (up to a minute) for a Payara this JVM started otherwise, such as an Arquillian-managed
   * one stopped without waiting, to exit: two never run at once on this shared machine.
   */
  private static void awaitOtherPayaraExit() {
    ProcessHandle.current()
        .descendants()
        .filter(p -> p.info().commandLine().orElse("").contains("payara-micro"))
        .forEach(p -> Processes.stop(p.pid(), Duration.ofSeconds(60)));
  }

  private static Path dataRoot() {
    return Path.of(System.getProperty("surge.it.data", "target/it-data")).toAbsolutePath();
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot empty " + dir, e);
    }
  }
}
