package surge.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One method per endpoint of the Surge REST API. An error answer becomes a {@link
 * SurgeApiException}; no answer at all becomes a {@link SurgeUnreachableException}; an {@link
 * IOException} is always about a local file or stream.
 */
public final class SurgeClient {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final TypeReference<List<JobStatus>> JOB_LIST = new TypeReference<>() {};

  private final URI server;
  private final HttpClient http;

  /**
   * @param server the server's base URL, e.g. {@code http://localhost:8080}; a path is kept as a
   *     prefix
   */
  public SurgeClient(URI server, HttpClient http) {
    String base = server.toString();
    this.server = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.http = http;
  }

  /** HTTP/1.1 because the h2c upgrade buys nothing here and some proxies mishandle it. */
  public static HttpClient defaultHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  public URI server() {
    return server;
  }

  /**
   * Uploads a kernel unless the server has it already: kernels are content-addressed, so a HEAD on
   * the local hash saves sending the bytes again.
   */
  public StoredBlob uploadKernel(Path wasm)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    String sha256 = Sha256.of(wasm);
    if (hasKernel(sha256)) {
      return new StoredBlob(sha256, Files.size(wasm), List.of());
    }
    return upload("/api/kernels", "application/wasm", BodyPublishers.ofFile(wasm));
  }

  /**
   * True when the server stores the kernel. Anything but 200 counts as absent, so a server that
   * does not answer HEAD still gets the upload.
   */
  public boolean hasKernel(String sha256) throws SurgeUnreachableException, InterruptedException {
    HttpRequest request =
        request("/api/kernels/" + segment(sha256))
            .method("HEAD", BodyPublishers.noBody())
            .timeout(CALL_TIMEOUT)
            .build();
    return send(request, BodyHandlers.discarding()).statusCode() == 200;
  }

  /** The server documents no HEAD for inputs, so inputs are always sent. */
  public StoredBlob uploadInput(Path file)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    return upload("/api/inputs", "application/octet-stream", BodyPublishers.ofFile(file));
  }

  public JobStatus submit(JobSpec spec)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    byte[] body;
    try {
      body = Json.mapper().writeValueAsBytes(spec);
    } catch (IOException e) {
      throw new IllegalStateException("a JobSpec always serializes", e);
    }
    HttpRequest request =
        jsonRequest("/api/jobs")
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofByteArray(body))
            .timeout(CALL_TIMEOUT)
            .build();
    return read(call(request), JobStatus.class);
  }

  public JobStatus status(String jobId)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    return read(statusJson(jobId), JobStatus.class);
  }

  /** The status exactly as the server wrote it, for scripts that want every field. */
  public String statusJson(String jobId)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    return call(jsonRequest("/api/jobs/" + segment(jobId)).GET().timeout(CALL_TIMEOUT).build());
  }

  /** Recent jobs, newest first; the server applies its own limit when none is given. */
  public List<JobStatus> jobs(Optional<JobState> state, OptionalInt limit)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    StringBuilder path = new StringBuilder("/api/jobs");
    char separator = '?';
    if (state.isPresent()) {
      path.append(separator).append("state=").append(state.get().name());
      separator = '&';
    }
    if (limit.isPresent()) {
      path.append(separator).append("limit=").append(limit.getAsInt());
    }
    String body = call(jsonRequest(path.toString()).GET().timeout(CALL_TIMEOUT).build());
    JsonNode node = parse(body);
    // The list may come bare or wrapped as {"jobs": [...]}; accept both.
    JsonNode list = node.isObject() && node.has("jobs") ? node.get("jobs") : node;
    return Json.mapper().convertValue(list, JOB_LIST);
  }

  /** Cancels a job that has not ended; for an ended job the server changes nothing. */
  public JobStatus cancel(String jobId)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    return cancel(jobId, CALL_TIMEOUT);
  }

  public JobStatus cancel(String jobId, Duration timeout)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    HttpRequest request =
        jsonRequest("/api/jobs/" + segment(jobId) + "/cancel")
            .POST(BodyPublishers.noBody())
            .timeout(timeout)
            .build();
    return read(call(request), JobStatus.class);
  }

  /**
   * Streams the merged result into {@code sink} byte for byte. The server answers 409 while the job
   * has not succeeded. An {@link IOException} here is a failure to write the sink.
   */
  public long result(String jobId, OutputStream sink)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    // The result is bytes; an error (409 and the like) still comes as JSON.
    HttpRequest request =
        request("/api/jobs/" + segment(jobId) + "/result")
            .header("Accept", "application/octet-stream, application/json;q=0.5")
            .GET()
            .build();
    HttpResponse<InputStream> response = send(request, BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw error(response, readAll(body));
      }
      long total = 0;
      byte[] buffer = new byte[64 * 1024];
      while (true) {
        int n;
        try {
          n = body.read(buffer);
        } catch (IOException e) {
          throw new SurgeUnreachableException(server, e);
        }
        if (n < 0) {
          return total;
        }
        sink.write(buffer, 0, n);
        total += n;
      }
    }
  }

  private StoredBlob upload(String path, String contentType, BodyPublisher body)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    HttpRequest request = jsonRequest(path).header("Content-Type", contentType).POST(body).build();
    return read(call(request), StoredBlob.class);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(server + path));
  }

  /** A request to an endpoint that answers JSON. */
  private HttpRequest.Builder jsonRequest(String path) {
    return request(path).header("Accept", "application/json");
  }

  /** Sends and returns the body of a 2xx answer as text. */
  private String call(HttpRequest request)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    HttpResponse<byte[]> response = send(request, BodyHandlers.ofByteArray());
    if (response.statusCode() / 100 != 2) {
      throw error(response, response.body());
    }
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws SurgeUnreachableException, InterruptedException {
    try {
      return http.send(request, handler);
    } catch (IOException e) {
      throw new SurgeUnreachableException(server, e);
    }
  }

  private static SurgeApiException error(HttpResponse<?> response, byte[] body) {
    String contentType = response.headers().firstValue("Content-Type").orElse(null);
    return SurgeApiException.fromBody(response.statusCode(), contentType, body);
  }

  private byte[] readAll(InputStream body) throws SurgeUnreachableException {
    try {
      return body.readAllBytes();
    } catch (IOException e) {
      throw new SurgeUnreachableException(server, e);
    }
  }

  private static JsonNode parse(String body) throws SurgeApiException {
    try {
      return Json.mapper().readTree(body);
    } catch (IOException e) {
      throw unexpected(body, e);
    }
  }

  private static <T> T read(String body, Class<T> type) throws SurgeApiException {
    try {
      return Json.mapper().readValue(body, type);
    } catch (IOException e) {
      throw unexpected(body, e);
    }
  }

  /** A 2xx whose body this client cannot read: a server of another version, or not Surge. */
  private static SurgeApiException unexpected(String body, IOException e) {
    String start = body.length() > 120 ? body.substring(0, 120) + "…" : body;
    return new SurgeApiException(
        200, "unexpected answer (" + e.getClass().getSimpleName() + "): " + start, null);
  }

  /** Percent-encodes a path segment so an odd job id cannot change the path. */
  static String segment(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xFF));
      }
    }
    return out.toString();
  }
}
