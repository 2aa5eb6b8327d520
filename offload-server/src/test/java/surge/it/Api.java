package surge.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import surge.client.AdminApi;
import surge.client.Credential;
import surge.client.JobStatus;
import surge.client.SurgeClient;

/**
 * The REST API of docs/api.md as the ITs call it. Where the HTTP exchange itself is under test
 * (status codes, headers, CORS, raw bodies) it sends requests with the JDK HTTP client; the
 * operations a test only needs done (upload a kernel, approve it, make a token, read a status or a
 * result, cancel what is left) go through surge-client ({@link #client}), the client {@code surge}
 * itself uses. It sends the operator's token that every IT server gets (SURGE_ADMIN_TOKEN) unless a
 * test asks for another caller ({@link #as}, {@link #anonymous}) or passes its own Authorization.
 */
final class Api {
  static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

  /** SURGE_ADMIN_TOKEN of every IT server (arquillian.xml). */
  static final String OPERATOR_TOKEN =
      "surge_it-operator-token-0123456789abcdefghijklmnopqrstuvwxyz";

  // A client of its own per Api, not one shared: with a shared pool, a request whose body the
  // server refused unread (413 with Connection: close) timed out on a reused connection.
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final URI base;
  private final String authorization;

  Api(URL base) {
    this(
        URI.create(base.toString().endsWith("/") ? base.toString() : base + "/"),
        "Bearer " + OPERATOR_TOKEN);
  }

  private Api(URI base, String authorization) {
    this.base = base;
    this.authorization = authorization;
  }

  /** The same server as another caller: the whole Authorization header value. */
  Api as(String authorization) {
    return new Api(base, authorization);
  }

  /** The same server without credentials. */
  Api anonymous() {
    return new Api(base, null);
  }

  /** The same server with an API token. */
  Api withToken(String token) {
    return as("Bearer " + token);
  }

  /** Creates an API token for {@code user} (as the operator) and answers it. */
  String token(String user, String role) {
    var admin = new AdminApi(new Api(base, "Bearer " + OPERATOR_TOKEN).client());
    return done(
        "token for " + user,
        () -> admin.createToken(user, role, Optional.empty()).get("token").orElseThrow());
  }

  /** surge-client on the same server with the same credential. */
  SurgeClient client() {
    String header = authorization;
    Credential credential =
        new Credential() {
          @Override
          public Optional<String> authorization() {
            return Optional.ofNullable(header);
          }

          @Override
          public String describe() {
            return header == null ? "no credential" : "the IT's credential";
          }
        };
    return new SurgeClient(URI.create(base.toString().replaceAll("/+$", "")), credential);
  }

  /** A call of surge-client that must succeed; its failure fails the test, saying what failed. */
  static <T> T done(String what, ClientCall<T> call) {
    try {
      return call.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (Exception e) {
      throw new AssertionError(what + ": " + e.getMessage(), e);
    }
  }

  interface ClientCall<T> {
    T run() throws Exception;
  }

  URI base() {
    return base;
  }

  /** {@code ws://host:port/volunteer} on the same server. */
  URI volunteerSocket() {
    return URI.create(base.toString().replaceFirst("^http", "ws") + "volunteer");
  }

  HttpResponse<byte[]> get(String path, String... headers) {
    var request = HttpRequest.newBuilder(resolve(path)).timeout(Duration.ofSeconds(30)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request.build(), headers);
  }

  /** A GET of {@code path} exactly as written: no dot segments resolved on the way. */
  HttpResponse<byte[]> getRaw(String path) {
    URI uri = URI.create(base.toString() + (path.startsWith("/") ? path.substring(1) : path));
    return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build());
  }

  HttpResponse<byte[]> delete(String path) {
    return send(
        HttpRequest.newBuilder(resolve(path)).timeout(Duration.ofSeconds(30)).DELETE().build());
  }

  HttpResponse<byte[]> post(String path, String contentType, byte[] body) {
    return send(
        HttpRequest.newBuilder(resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  HttpResponse<byte[]> postJson(String path, String json) {
    return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /** A JSON POST with extra headers (name, value, ...), such as the Origin of a web page. */
  HttpResponse<byte[]> postJson(String path, String json, String... headers) {
    return send(
        HttpRequest.newBuilder(resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .headers(headers)
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        headers);
  }

  /** A request without a body, of any method. */
  HttpResponse<byte[]> send(String method, String path) {
    return send(
        HttpRequest.newBuilder(resolve(path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build());
  }

  /** A CORS preflight from a page of {@code origin}. */
  HttpResponse<byte[]> preflight(String path, String origin) {
    return send(
        HttpRequest.newBuilder(resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .build());
  }

  /** The Authorization header of the admin's HTTP Basic login. */
  static String[] admin(String password) {
    return new String[] {
      "Authorization",
      "Basic "
          + java.util.Base64.getEncoder()
              .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8))
    };
  }

  private URI resolve(String path) {
    return base.resolve(path.startsWith("/") ? path.substring(1) : path);
  }

  HttpResponse<byte[]> send(HttpRequest request, String... headers) {
    boolean own = false;
    for (int i = 0; i < headers.length; i += 2) {
      own |= headers[i].equalsIgnoreCase("Authorization");
    }
    if (authorization != null && !own) {
      var withAuth = HttpRequest.newBuilder(request, (name, value) -> true);
      request = withAuth.header("Authorization", authorization).build();
    }
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  static JsonValue json(HttpResponse<byte[]> response) {
    try (var reader = Json.createReader(new ByteArrayInputStream(response.body()))) {
      return reader.readValue();
    } catch (RuntimeException e) {
      throw new AssertionError(
          "expected JSON from "
              + response.uri()
              + ", got "
              + response.statusCode()
              + " "
              + text(response),
          e);
    }
  }

  static JsonObject object(HttpResponse<byte[]> response) {
    return json(response).asJsonObject();
  }

  static JsonArray array(HttpResponse<byte[]> response) {
    return json(response).asJsonArray();
  }

  /** Uploads a kernel (new or not) and answers its sha256. */
  String kernel(byte[] wasm) {
    return done(
        "upload kernel",
        () -> {
          Path file = Files.createTempFile("it-kernel", ".wasm");
          try {
            Files.write(file, wasm);
            return client().uploadKernel(file).sha256();
          } finally {
            Files.delete(file);
          }
        });
  }

  /** An operator approves the kernel {@code sha256} (the default kernel policy needs it). */
  void approve(String sha256) {
    var admin = new AdminApi(client());
    done("approve " + sha256, () -> admin.approveKernel(sha256, "approved by an IT"));
  }

  /** Uploads a kernel and has an operator approve it; answers its sha256. */
  String approvedKernel(byte[] wasm) {
    String sha256 = kernel(wasm);
    approve(sha256);
    return sha256;
  }

  /** A fresh consent token, as a page of https://it.example (allowed in arquillian.xml) gets it. */
  String consentToken() {
    var response =
        postJson(
            "/api/consent",
            "{\"site\":\"https://it.example\",\"revision\":1,\"cpu\":50}",
            "Origin",
            "https://it.example");
    assertThat(response.statusCode()).as("consent: %s", text(response)).isEqualTo(200);
    return object(response).getString("token");
  }

  /** Submits a job that must be accepted and answers its status. */
  JsonObject submit(String spec) {
    var response = postJson("/api/jobs", spec);
    assertThat(response.statusCode()).as("submit %s: %s", spec, text(response)).isEqualTo(201);
    return object(response);
  }

  /** The job's status as the server wrote it (every field), read by surge-client. */
  JsonObject status(String job) {
    String json = done("status of " + job, () -> client().statusJson(job));
    try (var reader = Json.createReader(new java.io.StringReader(json))) {
      return reader.readObject();
    }
  }

  /** Polls a job's status until it reaches {@code state}; fails with the last status otherwise. */
  JsonObject awaitState(String job, String state, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject last;
    do {
      last = status(job);
      if (state.equals(last.getString("state"))) {
        return last;
      }
      if (ENDED.contains(last.getString("state"))) {
        break;
      }
      sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("job " + job + " did not become " + state + "; last status " + last);
  }

  byte[] result(String job) {
    var out = new ByteArrayOutputStream();
    done("result of " + job, () -> client().result(job, out));
    return out.toByteArray();
  }

  /** The value of one sample in the Prometheus text of {@code /metrics}, e.g. {@code foo_total}. */
  double metric(String sample) {
    var response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text(response));
    if (!m.find()) {
      throw new AssertionError("no sample " + sample + " in /metrics:\n" + text(response));
    }
    return Double.parseDouble(m.group(1));
  }

  /** Leaves the server as the next test expects it: no job waiting for volunteers. */
  void cancelUnfinishedJobs() {
    SurgeClient client = client();
    var jobs = done("the job list", () -> client.jobs(Optional.empty(), OptionalInt.of(1000)));
    for (JobStatus job : jobs) {
      if (!ENDED.contains(job.state().name())) {
        try {
          client.cancel(job.id());
        } catch (Exception endedMeanwhile) {
          // best effort, as before: the next test only needs nothing left waiting
        }
      }
    }
  }

  /** Retries an assertion until it holds or the timeout passes (then its last failure counts). */
  static void eventually(Duration timeout, Runnable assertion) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        sleep(100);
      }
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
