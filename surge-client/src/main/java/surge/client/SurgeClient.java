package surge.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
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
 *
 * <p>The transport is the JDK's {@link HttpURLConnection} (HTTP/1.1, keep-alive) rather than {@code
 * java.net.http.HttpClient}: building the latter costs a fresh JVM about 0.3 s (its selector thread
 * and TLS set-up), and {@code surge offload} is a fresh JVM in every Slurm job, between the job's
 * start and its first task.
 */
public final class SurgeClient {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final String JSON = "application/json";

  private final URI server;
  private final Credential credential;

  /** A client that sends no credential: for public endpoints and servers without auth. */
  public SurgeClient(URI server) {
    this(server, Credential.none());
  }

  /**
   * @param server the server's base URL, e.g. {@code http://localhost:8080}; a path is kept as a
   *     prefix
   * @param credential asked for an {@code Authorization} header before every request
   */
  public SurgeClient(URI server, Credential credential) {
    String base = server.toString();
    this.server = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.credential = credential;
  }

  public URI server() {
    return server;
  }

  /** Who this client says it is, for a helper process that must say the same. */
  public Credential credential() {
    return credential;
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
    return upload("/api/kernels", "application/wasm", wasm);
  }

  /**
   * True when the server stores the kernel. Anything but 200 counts as absent, so a server that
   * does not answer HEAD still gets the upload; except 401 and 403, which the upload would get too
   * (and there, in streaming mode, the JDK drops the answer's text).
   */
  public boolean hasKernel(String sha256)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    HttpURLConnection c =
        open("HEAD", "/api/kernels/" + segment(sha256), null, null, -1, CALL_TIMEOUT);
    try {
      int status = status(c);
      if (status == 401 || status == 403) {
        throw error(c, status);
      }
      return status == 200;
    } finally {
      drain(c);
    }
  }

  /** The server documents no HEAD for inputs, so inputs are always sent. */
  public StoredBlob uploadInput(Path file)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    return upload("/api/inputs", "application/octet-stream", file);
  }

  public JobStatus submit(JobSpec spec)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    byte[] body = JsonCodec.toJson(spec).getBytes(StandardCharsets.UTF_8);
    HttpURLConnection c =
        open("POST", "/api/jobs", JSON, "application/json", body.length, CALL_TIMEOUT);
    send(c, body);
    return read(call(c), JsonCodec::jobStatus);
  }

  public JobStatus status(String jobId)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    return read(statusJson(jobId), JsonCodec::jobStatus);
  }

  /** The status exactly as the server wrote it, for scripts that want every field. */
  public String statusJson(String jobId)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    return call(open("GET", "/api/jobs/" + segment(jobId), JSON, null, -1, CALL_TIMEOUT));
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
    String body = call(open("GET", path.toString(), JSON, null, -1, CALL_TIMEOUT));
    return read(body, JsonCodec::jobStatuses);
  }

  /** Cancels a job that has not ended; for an ended job the server changes nothing. */
  public JobStatus cancel(String jobId)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    return cancel(jobId, CALL_TIMEOUT);
  }

  public JobStatus cancel(String jobId, Duration timeout)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    HttpURLConnection c =
        open("POST", "/api/jobs/" + segment(jobId) + "/cancel", JSON, null, 0, timeout);
    send(c, new byte[0]);
    return read(call(c), JsonCodec::jobStatus);
  }

  /**
   * Streams the merged result into {@code sink} byte for byte. The server answers 409 while the job
   * has not succeeded. An {@link IOException} here is a failure to write the sink.
   */
  public long result(String jobId, OutputStream sink)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    // The result is bytes; an error (409 and the like) still comes as JSON.
    return download(
        "/api/jobs/" + segment(jobId) + "/result",
        "application/octet-stream, application/json;q=0.5",
        sink);
  }

  /**
   * A JSON request of the API (the admin calls go through this): {@code jsonBody} null sends none.
   * Answers the body of a 2xx answer, empty for 204.
   */
  String exchange(String method, String path, String jsonBody)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    byte[] body = jsonBody == null ? null : jsonBody.getBytes(StandardCharsets.UTF_8);
    HttpURLConnection c =
        open(
            method,
            path,
            JSON,
            body == null ? null : JSON,
            body == null ? -1 : body.length,
            CALL_TIMEOUT);
    if (body != null) {
      send(c, body);
    }
    int status = status(c);
    if (status == 204) {
      drain(c);
      return "";
    }
    return call(c);
  }

  /**
   * Streams a GET's answer into {@code sink}. No read time limit: a big answer may take long, and a
   * dead server shows as a reset connection.
   */
  long download(String path, String accept, OutputStream sink)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    HttpURLConnection c = open("GET", path, accept, null, -1, Duration.ZERO);
    int status = status(c);
    if (status != 200) {
      throw error(c, status);
    }
    InputStream body;
    try {
      body = c.getInputStream();
    } catch (IOException e) {
      throw new SurgeUnreachableException(server, e);
    }
    try (body) {
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

  private StoredBlob upload(String path, String contentType, Path file)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    HttpURLConnection c = open("POST", path, JSON, contentType, Files.size(file), CALL_TIMEOUT);
    OutputStream out;
    try {
      out = c.getOutputStream();
    } catch (IOException e) {
      throw new SurgeUnreachableException(server, e);
    }
    // A local read failure is an IOException of the file; a write failure is the server's going.
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        try {
          out.write(buffer, 0, n);
        } catch (IOException e) {
          throw new SurgeUnreachableException(server, e);
        }
      }
    }
    try {
      out.close();
    } catch (IOException e) {
      throw new SurgeUnreachableException(server, e);
    }
    return read(call(c), JsonCodec::storedBlob);
  }

  /**
   * A connected connection for one request with a body of {@code bodyLength} bytes (-1: none).
   * Connecting here, apart from sending, tells a request that surely never reached the server
   * ({@link SurgeUnreachableException#neverConnected()}) from one that may have. Blocking socket
   * I/O does not notice interrupts, so an interrupt is checked before each request (and a call is
   * bounded by its timeout).
   */
  private HttpURLConnection open(
      String method,
      String path,
      String accept,
      String contentType,
      long bodyLength,
      Duration timeout)
      throws SurgeUnreachableException, InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    HttpURLConnection c;
    try {
      c = (HttpURLConnection) URI.create(server + path).toURL().openConnection();
      c.setRequestMethod(method);
    } catch (IOException | IllegalArgumentException e) {
      throw new SurgeUnreachableException(server, new IOException(e.getMessage(), e));
    }
    c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
    c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    c.setUseCaches(false);
    c.setInstanceFollowRedirects(true);
    if (accept != null) {
      c.setRequestProperty("Accept", accept);
    }
    if (contentType != null) {
      c.setRequestProperty("Content-Type", contentType);
    }
    credential.authorization().ifPresent(value -> c.setRequestProperty("Authorization", value));
    if (bodyLength >= 0) {
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(bodyLength);
    }
    try {
      c.connect();
    } catch (IOException e) {
      throw new SurgeUnreachableException(server, new SurgeUnreachableException.NotConnected(e));
    }
    return c;
  }

  private void send(HttpURLConnection c, byte[] body) throws SurgeUnreachableException {
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    } catch (IOException e) {
      throw new SurgeUnreachableException(server, e);
    }
  }

  /** The answer's status; -1 (no valid HTTP answer, e.g. a server closing) is unreachable too. */
  private int status(HttpURLConnection c) throws SurgeUnreachableException {
    int status;
    try {
      status = c.getResponseCode();
    } catch (IOException e) {
      throw new SurgeUnreachableException(server, e);
    }
    if (status < 0) {
      throw new SurgeUnreachableException(
          server, new IOException("the connection closed without a valid HTTP answer"));
    }
    return status;
  }

  /** Sends and returns the body of a 2xx answer as text. */
  private String call(HttpURLConnection c) throws SurgeApiException, SurgeUnreachableException {
    int status = status(c);
    if (status / 100 != 2) {
      throw error(c, status);
    }
    byte[] body;
    try (InputStream in = c.getInputStream()) {
      body = in.readAllBytes();
    } catch (IOException e) {
      throw new SurgeUnreachableException(server, e);
    }
    // Every JSON answer has a body: none, unless the server said 0 bytes, is a cut connection
    // (a server going down between the status line and the body).
    if (body.length == 0 && c.getContentLengthLong() != 0) {
      throw new SurgeUnreachableException(
          server, new IOException("the connection closed before the answer's body"));
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  private SurgeApiException error(HttpURLConnection c, int status)
      throws SurgeUnreachableException {
    byte[] body = new byte[0];
    try (InputStream in = c.getErrorStream()) {
      if (in != null) {
        body = in.readAllBytes();
      }
    } catch (IOException e) {
      throw new SurgeUnreachableException(server, e);
    }
    SurgeApiException e = SurgeApiException.fromBody(status, c.getContentType(), body);
    return status == 401 || status == 403 ? e.withCredential(credential.describe()) : e;
  }

  /** Reads what is left so the connection goes back to the keep-alive pool. */
  private static void drain(HttpURLConnection c) {
    try (InputStream in = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()) {
      if (in != null) {
        in.transferTo(OutputStream.nullOutputStream());
      }
    } catch (IOException ignored) {
      // the connection is dropped instead of reused
    }
  }

  private interface Reader<T> {
    T read(String json);
  }

  private static <T> T read(String body, Reader<T> reader) throws SurgeApiException {
    try {
      return reader.read(body);
    } catch (RuntimeException e) {
      throw unexpected(body, e);
    }
  }

  /** A 2xx whose body this client cannot read: a server of another version, or not Surge. */
  private static SurgeApiException unexpected(String body, RuntimeException e) {
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
