package surge.testing;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import surge.client.Credential;
import surge.client.SurgeClient;

/**
 * The real Surge server as a process of its own, started the way an operator starts it: {@code
 * bin/surge-server --port P} (Payara Micro with the packaged WAR) with SURGE_* settings in its
 * environment, on a free port, its output captured in {@code DATA_DIR/server.log}, stopped by its
 * pid (bin/surge-server execs the JVM, so the pid is the server's). Every integration test that
 * needs a server outside Arquillian starts it here.
 */
public final class ServerProcess implements AutoCloseable {
  /** How long Payara may take to answer /health on a loaded two-core machine. */
  public static final Duration STARTUP = Duration.ofMinutes(5);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final int port;
  private final Path dataDir;
  private final Map<String, String> env;
  private final Process process;

  private ServerProcess(int port, Path dataDir, Map<String, String> env, Process process) {
    this.port = port;
    this.dataDir = dataDir;
    this.env = env;
    this.process = process;
  }

  /**
   * Starts a server on a free port with {@code SURGE_DATA_DIR=dataDir} and these SURGE_* settings
   * (SURGE_JAVA_OPTS for JVM options and system properties), and waits until {@code /health}
   * answers 200. A server that exits or stays unhealthy fails the start with its log's tail.
   */
  public static ServerProcess start(Path dataDir, Map<String, String> env) throws IOException {
    return start(dataDir, env, FreePort.pick());
  }

  /**
   * As {@link #start(Path, Map)} on a given port: a restart on the same data directory and port, as
   * after a crash, that clients and volunteers find again where they left it.
   */
  public static ServerProcess start(Path dataDir, Map<String, String> env, int port)
      throws IOException {
    Files.createDirectories(dataDir);
    var pb =
        new ProcessBuilder(
            Repo.file("bin/surge-server").toString(), "--port", String.valueOf(port));
    // An operator's own settings must not leak into a test's server.
    pb.environment().keySet().removeIf(k -> k.startsWith("SURGE_"));
    pb.environment().put("SURGE_DATA_DIR", dataDir.toString());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()));
    var server = new ServerProcess(port, dataDir, new LinkedHashMap<>(env), pb.start());
    try {
      server.awaitHealthy(STARTUP);
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  public int port() {
    return port;
  }

  /** The server JVM's pid. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** {@code http://localhost:PORT}, without a trailing slash. */
  public String url() {
    return "http://localhost:" + port;
  }

  public URI uri(String path) {
    return URI.create(url() + (path.startsWith("/") ? path : "/" + path));
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The SURGE_* settings the server was started with. */
  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  /** The server's stdout and stderr. */
  public Path log() {
    return dataDir.resolve("server.log");
  }

  /** The last lines of the server's log, for failure messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log());
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * The operator token, the documented way (README, "First credential"): SURGE_ADMIN_TOKEN when the
   * test set it, else the file the server wrote to {@code $SURGE_DATA_DIR/admin-token} on its first
   * start.
   */
  public String operatorToken() {
    if (env.containsKey("SURGE_ADMIN_TOKEN")) {
      return env.get("SURGE_ADMIN_TOKEN");
    }
    Path file = dataDir.resolve("admin-token");
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    try {
      while (!Files.exists(file) && System.nanoTime() < until) {
        Thread.sleep(100);
      }
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("the server wrote no operator token to " + file, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** surge-client as the operator. */
  public SurgeClient operator() {
    return as(operatorToken());
  }

  /** surge-client with an API token (or a Slurm JWT). */
  public SurgeClient as(String token) {
    return new SurgeClient(URI.create(url()), Credential.bearer(token, "a test's token"));
  }

  /** surge-client without a credential. */
  public SurgeClient anonymous() {
    return new SurgeClient(URI.create(url()));
  }

  /** {@code GET /health} as JSON (public). */
  public JsonObject health() throws IOException, InterruptedException {
    var r =
        HTTP.send(
            HttpRequest.newBuilder(uri("/health")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("/health answered " + r.statusCode() + ": " + r.body());
    }
    try (var reader = Json.createReader(new StringReader(r.body()))) {
      return reader.readObject();
    }
  }

  /** Waits until {@code /health} counts {@code n} connected volunteers. */
  public void awaitVolunteers(int n, Duration limit) throws IOException, InterruptedException {
    long until = System.nanoTime() + limit.toNanos();
    int seen = -1;
    while (System.nanoTime() < until) {
      seen = health().getInt("volunteers", -1);
      if (seen == n) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        n + " volunteers were not connected within " + limit + " (last count " + seen + ")");
  }

  // Startup is the one place that retries: Payara takes its time on a loaded machine.
  private void awaitHealthy(Duration limit) {
    long until = System.nanoTime() + limit.toNanos();
    try {
      while (System.nanoTime() < until) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "bin/surge-server exited with "
                  + process.exitValue()
                  + "; its log ("
                  + log()
                  + ") ends with:\n"
                  + logTail(40));
        }
        try {
          var request =
              HttpRequest.newBuilder(uri("/health")).timeout(Duration.ofSeconds(10)).build();
          if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(250);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the server started", e);
    }
    throw new IllegalStateException(
        "the server was not healthy within " + limit + "; its log ends with:\n" + logTail(40));
  }

  /** SIGKILL: no shutdown hook, no flush, as a crash. */
  public void kill() {
    Processes.kill(pid());
  }

  /** Stops the server by its pid: SIGTERM, then SIGKILL after 20 s. */
  @Override
  public void close() {
    Processes.stop(pid(), Duration.ofSeconds(20));
  }
}
