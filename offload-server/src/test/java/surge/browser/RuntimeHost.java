package surge.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/**
 * Serves a test page and the worker runtime the way a site and the Surge server will: the page from
 * {@code http://127.0.0.1:PORT/}, the runtime's files and the kernels (passed through from the
 * Surge server) from {@code http://localhost:PORT/surge/...} with CORS, so the page loads the
 * runtime and its module workers across origins as a site embedding the banner does. The
 * volunteer's WebSocket goes straight to the Surge server. The page carries the demo site's strict
 * Content-Security-Policy, so every test also shows the runtime works under it.
 */
final class RuntimeHost implements AutoCloseable {
  private static final Path RUNTIME = SurgeServer.REPO.resolve("worker-runtime");

  final int port;
  private final HttpServer http;
  private final SurgeServer surge;

  /** Origins to allow on the server (SURGE_ALLOWED_ORIGINS) for a host on this port. */
  static String origins(int port) {
    return "http://127.0.0.1:" + port + ",http://localhost:" + port;
  }

  RuntimeHost(SurgeServer surge, int port) throws IOException {
    this.surge = surge;
    this.port = port;
    http = HttpServer.create(new InetSocketAddress(port), 0);
    http.createContext("/", this::handle);
    http.setExecutor(Executors.newCachedThreadPool());
    http.start();
  }

  /** Where the page lives (another origin than the runtime's). */
  String pageUrl() {
    return "http://127.0.0.1:" + port + "/page.html";
  }

  /** The origin the runtime, worker scripts and kernels come from. */
  String runtimeOrigin() {
    return "http://localhost:" + port;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      exchange.getResponseHeaders().add("access-control-allow-origin", "*");
      if (path.equals("/page.html")) {
        exchange.getResponseHeaders().add("content-security-policy", policy());
        reply(exchange, 200, "text/html", PAGE.getBytes(StandardCharsets.UTF_8));
      } else if (path.equals("/page.js")) {
        reply(exchange, 200, "text/javascript", script().getBytes(StandardCharsets.UTF_8));
      } else if (path.startsWith("/api/kernels/")) {
        var upstream =
            SurgeServer.HTTP.send(
                HttpRequest.newBuilder(surge.uri(path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        reply(exchange, upstream.statusCode(), "application/wasm", upstream.body());
      } else if (path.contains("..")) {
        reply(exchange, 404, "text/plain", new byte[0]);
      } else if (path.startsWith("/surge/runtime/")) {
        file(exchange, RUNTIME.resolve("src").resolve(path.substring("/surge/runtime/".length())));
      } else if (path.startsWith("/surge/node_modules/")) {
        file(exchange, RUNTIME.resolve(path.substring("/surge/".length())));
      } else {
        reply(exchange, 404, "text/plain", new byte[0]);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void file(HttpExchange exchange, Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      reply(exchange, 404, "text/plain", new byte[0]);
    } else {
      reply(exchange, 200, "text/javascript", Files.readAllBytes(file));
    }
  }

  private static void reply(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().add("content-type", type);
    exchange.getResponseHeaders().add("cache-control", "no-store");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }

  // The strict policy examples/site/serve.mjs sets for a site that embeds the banner, with the
  // runtime's origin and the volunteer socket's as the Surge server's.
  private String policy() {
    String runtime = runtimeOrigin();
    return String.join(
        "; ",
        "default-src 'none'",
        "script-src 'self' " + runtime + " 'wasm-unsafe-eval'",
        "style-src 'self' " + runtime,
        "img-src 'self' data:",
        "connect-src 'self' " + runtime + " ws://localhost:" + surge.port,
        "worker-src " + runtime + " blob:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'");
  }

  private static final String PAGE =
      """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><title>Surge runtime test page</title>
      <script type="module" src="page.js"></script></head>
      <body><h1>Surge runtime test page</h1><p id="status">not started</p></body></html>
      """;

  // The page keeps what the tests read on window.surge: activities, tasks done (with when each
  // ended and its run time measured in the worker), CSP violations and the volunteer.
  private String script() {
    return """
        import { start, stop } from "%s/surge/runtime/browser/index.js";
        const surge = { activities: [], violations: [], tasks: [], done: 0, volunteer: null, stop };
        document.addEventListener("securitypolicyviolation", (e) =>
          surge.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
        surge.start = async (options) => {
          const v = await start({
            ...options,
            onActivity: (d) => surge.activities.push({ ...d, at: performance.now() }),
            onTaskDone: (d) => surge.tasks.push([performance.now(), d.millis]),
            onStats: (s) => {
              surge.done = s.tasksDone;
              document.getElementById("status").textContent =
                `${s.tasksDone} tasks done, ${Math.round(s.cpuMillis)} ms of CPU at ${s.cpu} %%`;
            },
          });
          surge.volunteer = v;
          return v.activity;
        };
        window.surge = surge;
        """
        .formatted(runtimeOrigin());
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
