package surge.browser;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Surge server for browser tests: {@code bin/surge-server} (Payara Micro with the packaged
 * WAR) as a process of its own, stopped by its pid, with a small REST client for the tests.
 */
final class SurgeServer implements AutoCloseable {
  static final Path REPO = Path.of(System.getProperty("surge.it.repo", "..")).toAbsolutePath();
  static final Path KERNELS = REPO.resolve("examples/kernels/build");
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  final int port;
  private final Path dataDir;
  private final Process process;

  /** Starts the server with these SURGE_* settings and waits (up to 3 min) for /health. */
  SurgeServer(Path dataDir, Map<String, String> env) throws Exception {
    this.port = freePort();
    this.dataDir = dataDir;
    Files.createDirectories(dataDir);
    var pb = new ProcessBuilder(REPO.resolve("bin/surge-server").toString(), "--port", "" + port);
    pb.environment().put("SURGE_DATA_DIR", dataDir.toString());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    process = pb.start();
    waitUntilHealthy(Duration.ofMinutes(3));
  }

  String url() {
    return "http://localhost:" + port;
  }

  Path log() {
    return dataDir.resolve("server.log");
  }

  static int freePort() throws IOException {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  // Startup is the one place that retries: Payara takes its time on a loaded machine.
  private void waitUntilHealthy(Duration limit) throws Exception {
    long until = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "bin/surge-server exited with " + process.exitValue() + "; see " + log());
      }
      try {
        if (send(HttpRequest.newBuilder(uri("/health")).build()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    close();
    throw new IllegalStateException(
        "the server was not healthy within " + limit + "; see " + log());
  }

  URI uri(String path) {
    return URI.create(url() + path);
  }

  /**
   * The operator token the server wrote on its first start, read the documented way (README, "First
   * credential").
   */
  String operatorToken() throws IOException {
    return Files.readString(dataDir.resolve("admin-token")).strip();
  }

  /** A request to {@code path} with the operator's token. */
  HttpRequest.Builder request(String path) throws IOException {
    return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + operatorToken());
  }

  static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  JsonObject getJson(String path) throws Exception {
    return json(expect(send(request(path).build()), 200));
  }

  JsonObject postJson(String path, String body) throws Exception {
    return postJson(path, body, request(path));
  }

  private static JsonObject postJson(String path, String body, HttpRequest.Builder builder)
      throws Exception {
    var request =
        builder
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return json(expect(send(request), 200, 201));
  }

  /** Uploads a kernel of examples/kernels/build/wasm and returns its sha256. */
  String uploadKernel(String name) throws Exception {
    var request =
        request("/api/kernels")
            .header("content-type", "application/wasm")
            .POST(HttpRequest.BodyPublishers.ofFile(KERNELS.resolve("wasm/" + name + ".wasm")))
            .build();
    return json(expect(send(request), 200, 201)).getString("sha256");
  }

  /** Submits a job and returns its id. */
  String submit(String kernel, int tasks, String arg, String merge) throws Exception {
    return postJson(
            "/api/jobs",
            "{\"kernel\":\"%s\",\"tasks\":%d,\"args\":[\"%s\"],\"merge\":{\"kind\":\"%s\"}}"
                .formatted(kernel, tasks, arg, merge))
        .getString("id");
  }

  JsonObject job(String id) throws Exception {
    return getJson("/api/jobs/" + id);
  }

  void cancel(String id) throws Exception {
    var request =
        request("/api/jobs/" + id + "/cancel").POST(HttpRequest.BodyPublishers.noBody()).build();
    expect(send(request), 200);
  }

  /** A consent token as the banner on a page of {@code site} would get it. */
  String consentToken(String site, int cpu) throws Exception {
    return postJson(
            "/api/consent",
            "{\"site\":\"%s\",\"revision\":1,\"cpu\":%d}".formatted(site, cpu),
            HttpRequest.newBuilder(uri("/api/consent")).header("Origin", site))
        .getString("token");
  }

  static HttpResponse<String> expect(HttpResponse<String> response, int... codes) {
    for (int code : codes) {
      if (response.statusCode() == code) {
        return response;
      }
    }
    throw new AssertionError(
        response.request().method()
            + " "
            + response.uri()
            + " answered "
            + response.statusCode()
            + ": "
            + response.body());
  }

  static JsonObject json(HttpResponse<String> response) {
    return json(response.body());
  }

  static JsonObject json(String text) {
    try (var reader = Json.createReader(new StringReader(text))) {
      return reader.readObject();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
