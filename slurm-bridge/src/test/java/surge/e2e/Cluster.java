package surge.e2e;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import surge.client.Json;

/**
 * A real Surge installation on this machine for end-to-end tests: {@code bin/surge-server} (Payara
 * Micro with the built WAR) and {@code bin/surge-volunteer} processes, started by the test and
 * stopped by pid.
 *
 * <p>With a server that wants credentials it does what an operator does, the documented way: it
 * takes the operator token (SURGE_ADMIN_TOKEN when the test gives one, else the one the server
 * wrote to {@code $SURGE_DATA_DIR/admin-token}), approves the sample kernels, creates a volunteer
 * key for its volunteers, and passes the token to {@code bin/surge} as SURGE_TOKEN and to its own
 * requests. Slurm jobs prove themselves with MUNGE instead ({@link SlurmCluster#mungeSocket}).
 */
public final class Cluster implements AutoCloseable {
  public static final Path REPO = repo();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  final int port;
  final Path dataDir;
  final Map<String, String> serverEnv;
  Process server;
  final List<Process> volunteers = new ArrayList<>();
  private Optional<String> adminToken = Optional.empty();
  private Optional<String> volunteerKey = Optional.empty();

  public Cluster(Path dataDir, Map<String, String> serverEnv) throws IOException {
    this.port = freePort();
    this.dataDir = dataDir;
    this.serverEnv = serverEnv;
  }

  public String url() {
    return "http://localhost:" + port;
  }

  static Path repo() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("bin/surge")) ? here : here.getParent();
  }

  static int freePort() throws IOException {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts the server and waits until {@code /health} answers 200. */
  public void startServer() throws Exception {
    var pb = new ProcessBuilder(REPO.resolve("bin/surge-server").toString(), "--port", "" + port);
    pb.environment().put("SURGE_DATA_DIR", dataDir.toString());
    // Not about kernel approval (offload-server's RestApiIT is): every user may run any kernel.
    pb.environment().put("SURGE_KERNEL_POLICY", "any-user");
    pb.environment().putAll(serverEnv);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()));
    Files.createDirectories(dataDir);
    server = pb.start();
    long until = System.nanoTime() + Duration.ofSeconds(300).toNanos();
    while (System.nanoTime() < until) {
      if (!server.isAlive()) {
        throw new IllegalStateException(
            "the server exited with "
                + server.exitValue()
                + "; see "
                + dataDir.resolve("server.log"));
      }
      try {
        var r = HTTP.send(get("/health"), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          prepareCredentials();
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "the server was not healthy within 300 s; its log ends with:\n" + logTail(40));
  }

  /** The operator's token, when the server wants credentials. */
  public Optional<String> adminToken() {
    return adminToken;
  }

  /**
   * When the server refuses an anonymous job list, it wants credentials: find the operator token,
   * approve every sample kernel (policy "approved"), and make a volunteer key for the volunteers.
   */
  private void prepareCredentials() throws Exception {
    var probe =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url() + "/api/jobs"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    if (probe.statusCode() != 401) {
      return;
    }
    adminToken = Optional.of(readAdminToken());
    try (var kernels =
        Files.newDirectoryStream(REPO.resolve("examples/kernels/build/wasm"), "*.wasm")) {
      for (Path kernel : kernels) {
        String sha = surge.client.Sha256.of(kernel);
        String note = "{\"note\":\"sample kernel " + kernel.getFileName() + ", e2e harness\"}";
        var approved = send("PUT", "/api/admin/kernels/" + sha + "/approval", note);
        if (approved.statusCode() == 404) {
          break; // a server without kernel approvals (any authenticated user's kernel runs)
        }
        expect(approved, 200, 201, 204);
      }
    }
    var key =
        send("POST", "/api/admin/volunteer-keys", "{\"name\":\"e2e volunteers\",\"trusted\":true}");
    expect(key, 200, 201);
    volunteerKey = Optional.of(Json.mapper().readTree(key.body()).path("key").asText());
  }

  /** SURGE_ADMIN_TOKEN as the test gave it, else the file the server wrote on its first start. */
  private String readAdminToken() throws Exception {
    if (serverEnv.containsKey("SURGE_ADMIN_TOKEN")) {
      return serverEnv.get("SURGE_ADMIN_TOKEN");
    }
    Path file = dataDir.resolve("admin-token");
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Files.exists(file) && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    if (!Files.exists(file)) {
      throw new IllegalStateException("the server wants credentials but wrote no " + file);
    }
    return Files.readString(file).strip();
  }

  private HttpResponse<String> send(String method, String path, String json) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(url() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(json));
    adminToken.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void expect(HttpResponse<String> r, Integer... statuses) {
    if (!List.of(statuses).contains(r.statusCode())) {
      throw new IllegalStateException(
          r.request().method() + " " + r.uri() + ": HTTP " + r.statusCode() + " " + r.body());
    }
  }

  /** The last lines of the server's log, for failure messages (the temp dir goes away). */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(dataDir.resolve("server.log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGKILL: no shutdown hook, no flush, as a crash. */
  void killServer() throws InterruptedException {
    server.destroyForcibly();
    server.waitFor();
  }

  public void startVolunteers(int n) throws IOException {
    for (int i = 0; i < n; i++) {
      var pb =
          new ProcessBuilder(
              REPO.resolve("bin/surge-volunteer").toString(), "--server", url(), "--workers", "1");
      volunteerKey.ifPresent(k -> pb.environment().put("SURGE_VOLUNTEER_KEY", k));
      pb.redirectErrorStream(true);
      pb.redirectOutput(
          ProcessBuilder.Redirect.appendTo(dataDir.resolve("volunteer-" + i + ".log").toFile()));
      volunteers.add(pb.start());
    }
  }

  /** Waits until the server reports this many connected volunteers. */
  public void awaitVolunteers(int n) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < until) {
      var r = HTTP.send(get("/health"), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 && r.body().contains("\"volunteers\":" + n)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("fewer than " + n + " volunteers connected within 90 s");
  }

  HttpRequest get(String path) {
    var request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10));
    adminToken.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return request.build();
  }

  /** The body of a GET; an error answer is prefixed with its status, for failure messages. */
  String getJson(String path) throws Exception {
    var r = HTTP.send(get(path), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() < 400 ? r.body() : "HTTP " + r.statusCode() + ": " + r.body();
  }

  /**
   * Runs {@code bin/surge ARGS} against this server, as the operator when there are credentials.
   */
  Run surge(String... args) throws Exception {
    return surgeWith(adminToken.map(t -> Map.of("SURGE_TOKEN", t)).orElse(Map.of()), args);
  }

  /** Runs {@code bin/surge ARGS} with {@code env} added (a user's SURGE_TOKEN, say). */
  Run surgeWith(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(REPO.resolve("bin/surge").toString());
    cmd.addAll(List.of(args));
    var pb = new ProcessBuilder(cmd);
    pb.environment().put("SURGE_SERVER", url());
    pb.environment().remove("SURGE_TOKEN");
    pb.environment().putAll(env);
    File err = Files.createTempFile(dataDir, "surge", ".err").toFile();
    pb.redirectError(err);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    int code = p.waitFor();
    return new Run(code, out, Files.readString(err.toPath()));
  }

  record Run(int exitCode, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  static Path kernel(String name) {
    Path p = REPO.resolve("examples/kernels/build/wasm/" + name + ".wasm");
    if (!Files.exists(p)) {
      throw new IllegalStateException(p + " is missing: build the examples module first");
    }
    return p;
  }

  /** Runs a native example program and returns its stdout. */
  public static byte[] nativeRun(Map<String, String> env, byte[] stdin, String name, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(REPO.resolve("examples/kernels/build/native/" + name).toString());
    cmd.addAll(List.of(args));
    var pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().write(stdin);
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(name + " exited " + p.exitValue());
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    for (Process v : volunteers) {
      v.destroy();
    }
    for (Process v : volunteers) {
      if (!v.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        v.destroyForcibly();
      }
    }
    if (server != null && server.isAlive()) {
      server.destroy();
      if (!server.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }
}
