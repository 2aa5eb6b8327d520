package surge.e2e;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import surge.client.AdminApi;
import surge.client.JobStatus;
import surge.client.Sha256;
import surge.client.SurgeApiException;
import surge.client.SurgeClient;
import surge.testing.FreePort;
import surge.testing.Processes;
import surge.testing.Repo;
import surge.testing.ServerProcess;

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
  static final HttpClient HTTP = HttpClient.newHttpClient();
  public static final Path REPO = Repo.ROOT;

  final int port;
  final Path dataDir;
  final Map<String, String> serverEnv;
  ServerProcess server;
  final List<Process> volunteers = new ArrayList<>();
  private Optional<String> adminToken = Optional.empty();
  private Optional<String> volunteerKey = Optional.empty();

  public Cluster(Path dataDir, Map<String, String> serverEnv) {
    this.port = FreePort.pick();
    this.dataDir = dataDir;
    this.serverEnv = serverEnv;
  }

  public String url() {
    return "http://localhost:" + port;
  }

  /**
   * Starts the server (test-support's {@link ServerProcess}, on this cluster's port every time) and
   * waits until {@code /health} answers 200.
   */
  public void startServer() throws Exception {
    var env = new HashMap<String, String>();
    // Not about kernel approval (offload-server's RestKernelsIT is): every user may run any kernel.
    env.put("SURGE_KERNEL_POLICY", "any-user");
    env.putAll(serverEnv);
    server = ServerProcess.start(dataDir, env, port);
    prepareCredentials();
  }

  /** The operator's token, when the server wants credentials. */
  public Optional<String> adminToken() {
    return adminToken;
  }

  /** surge-client as the operator (or without a credential, for a server that wants none). */
  public SurgeClient client() {
    return adminToken.map(server::as).orElseGet(server::anonymous);
  }

  /** The status of a job, read by surge-client. */
  public JobStatus status(String job) throws Exception {
    return client().status(job);
  }

  /**
   * When the server refuses an anonymous job list, it wants credentials: take the operator token,
   * approve every sample kernel (policy "approved"), and make a volunteer key for the volunteers.
   */
  private void prepareCredentials() throws Exception {
    try {
      server.anonymous().jobs(Optional.empty(), OptionalInt.of(1));
      return;
    } catch (SurgeApiException e) {
      if (e.status() != 401) {
        throw e;
      }
    }
    adminToken = Optional.of(server.operatorToken());
    var admin = new AdminApi(server.operator());
    try (var kernels =
        Files.newDirectoryStream(REPO.resolve("examples/kernels/build/wasm"), "*.wasm")) {
      for (Path kernel : kernels) {
        try {
          admin.approveKernel(
              Sha256.of(kernel), "sample kernel " + kernel.getFileName() + ", e2e harness");
        } catch (SurgeApiException e) {
          if (e.status() == 404) {
            break; // a server without kernel approvals (any authenticated user's kernel runs)
          }
          throw e;
        }
      }
    }
    var key = admin.createVolunteerKey("e2e volunteers", true);
    volunteerKey = Optional.of(key.get("key").orElseThrow());
  }

  /** The last lines of the server's log, for failure messages (the temp dir goes away). */
  public String logTail(int lines) {
    return server.logTail(lines);
  }

  /** SIGKILL by pid: no shutdown hook, no flush, as a crash. */
  void killServer() {
    server.kill();
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
    server.awaitVolunteers(n, Duration.ofSeconds(90));
  }

  /** The body of a GET; an error answer is prefixed with its status, for failure messages. */
  String getJson(String path) throws Exception {
    var request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10));
    adminToken.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    var r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
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
    return Repo.kernel(name);
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

  /** Stops the volunteers, then the server, by pid. */
  @Override
  public void close() {
    for (Process v : volunteers) {
      Processes.stop(v.pid(), Duration.ofSeconds(5));
    }
    if (server != null) {
      server.close();
    }
  }
}
