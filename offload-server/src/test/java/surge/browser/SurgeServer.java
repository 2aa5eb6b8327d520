package surge.browser;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import surge.client.JobSpec;
import surge.client.JobState;
import surge.client.JobStatus;
import surge.client.SurgeClient;
import surge.testing.FreePort;
import surge.testing.Repo;
import surge.testing.ServerProcess;
import surge.testing.SharedServer;

/**
 * The real Surge server for browser tests ({@link ServerProcess}: {@code bin/surge-server} as a
 * process of its own, stopped by its pid), with what the tests do as its operator through
 * surge-client (kernels, jobs, results) and the few raw requests a web page makes (consent,
 * metrics, the dashboard's summary).
 */
final class SurgeServer implements AutoCloseable {
  static final Path REPO = Repo.ROOT;
  static final Path KERNELS = REPO.resolve("examples/kernels/build");
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  final int port;
  private final ServerProcess process;
  private final boolean owned;
  private final SurgeClient client;

  /**
   * Starts a server of its own with these SURGE_* settings, stopped by {@link #close}; a server
   * shared by earlier IT classes stops first (one Payara at a time on this machine).
   */
  SurgeServer(Path dataDir, Map<String, String> env) throws IOException {
    this(startAlone(dataDir, settings(env)), true);
  }

  private static ServerProcess startAlone(Path dataDir, Map<String, String> env)
      throws IOException {
    SharedServer.stopRunning();
    return ServerProcess.start(dataDir, env);
  }

  private SurgeServer(ServerProcess process, boolean owned) {
    this.process = process;
    this.owned = owned;
    this.port = process.port();
    this.client = process.operator();
  }

  /** A server that another owner (a {@link surge.testing.SharedServer}) starts and stops. */
  static SurgeServer on(ServerProcess process) {
    return new SurgeServer(process, false);
  }

  /**
   * The settings of a browser test's server: every user may run any kernel (the browser tests are
   * not about kernel approval; RestKernelsIT and KernelApprovalTest are), then the test's own.
   */
  static Map<String, String> settings(Map<String, String> env) {
    var all = new HashMap<String, String>();
    all.put("SURGE_KERNEL_POLICY", "any-user");
    all.putAll(env);
    return all;
  }

  /** The server's JVM (bin/surge-server execs it). */
  long pid() {
    return process.pid();
  }

  String url() {
    return process.url();
  }

  Path log() {
    return process.log();
  }

  static int freePort() {
    return FreePort.pick();
  }

  URI uri(String path) {
    return process.uri(path);
  }

  /** A request to {@code path} with the operator's token. */
  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path))
        .header("Authorization", "Bearer " + process.operatorToken());
  }

  static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Uploads a kernel of examples/kernels/build/wasm and returns its sha256. */
  String uploadKernel(String name) throws Exception {
    return client.uploadKernel(Repo.kernel(name)).sha256();
  }

  /** Submits a job of one argument and returns its id. */
  String submit(String kernel, int tasks, String arg, String merge) throws Exception {
    return submit(JobSpec.builder(kernel, tasks).args(List.of(arg)), merge);
  }

  /** Submits a job built as far as {@code spec}, with this merge, and returns its id. */
  String submit(JobSpec.Builder spec, String merge) throws Exception {
    var kind = JobSpec.MergeKind.fromWire(merge);
    return client.submit(spec.merge(JobSpec.Merge.of(kind)).build()).id();
  }

  JobStatus job(String id) throws Exception {
    return client.status(id);
  }

  boolean succeeded(String id) throws Exception {
    return job(id).state() == JobState.SUCCEEDED;
  }

  byte[] result(String id) throws Exception {
    var out = new ByteArrayOutputStream();
    client.result(id, out);
    return out.toByteArray();
  }

  void cancel(String id) throws Exception {
    client.cancel(id);
  }

  /** A consent token as the banner on a page of {@code site} would get it. */
  String consentToken(String site, int cpu) throws Exception {
    var request =
        HttpRequest.newBuilder(uri("/api/consent"))
            .header("Origin", site)
            .header("content-type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"site\":\"%s\",\"revision\":1,\"cpu\":%d}".formatted(site, cpu)))
            .build();
    return json(expect(send(request), 200, 201)).getString("token");
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

  /** Stops the server by its pid, if this object started it. */
  @Override
  public void close() {
    if (owned) {
      process.close();
    }
  }
}
