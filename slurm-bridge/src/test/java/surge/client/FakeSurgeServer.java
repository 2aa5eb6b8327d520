package surge.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the Surge REST API of docs/api.md in memory, for unit tests of the client and the CLI. Each
 * submitted job follows a script of statuses, one per poll, the last one repeating.
 */
public final class FakeSurgeServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One request as the server saw it.
   *
   * @param authorization the {@code Authorization} header, null when there was none
   */
  public record Request(
      String method,
      String path,
      String query,
      String contentType,
      String authorization,
      byte[] body) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * A status the job shows at one poll; {@code error} is null unless the job failed, {@code
   * verification} null as from a server that predates verification.
   */
  public record Frame(
      JobState state,
      int done,
      int failed,
      Map<String, Object> error,
      Map<String, Object> verification) {
    public Frame(JobState state, int done, int failed, Map<String, Object> error) {
      this(state, done, failed, error, null);
    }

    public static Frame of(JobState state, int done) {
      return new Frame(state, done, 0, null);
    }

    /** This frame with the contract's {@code verification} object, ending in {@code summary}. */
    public Frame verified(String summary) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("mode", "adaptive");
      v.put("targetError", 1e-4);
      v.put("compare", "bytes");
      v.put("tasksAccepted", done);
      v.put("results", done + 1);
      v.put("serverRuns", 0);
      v.put("work", (done + 1.0) / Math.max(1, done));
      v.put("spotChecks", 1);
      v.put("disagreements", 0);
      v.put("blacklisted", 0);
      v.put("summary", summary);
      return new Frame(state, done, failed, error, v);
    }

    public static Frame failed(int done, int task, int exitCode, String stderrTail) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("message", "task " + task + " exited with code " + exitCode);
      error.put("task", task);
      error.put("exitCode", exitCode);
      error.put("stderrTail", stderrTail);
      return new Frame(JobState.FAILED, done, 1, error);
    }
  }

  private static final class Job {
    final String id;
    final JsonNode spec;
    final Deque<Frame> frames;
    final byte[] result;
    Frame current;

    Job(String id, JsonNode spec, List<Frame> script, byte[] result) {
      this.id = id;
      this.spec = spec;
      this.frames = new ArrayDeque<>(script);
      this.result = result;
      this.current = frames.poll();
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Set<String> kernels = ConcurrentHashMap.newKeySet();
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final AtomicInteger jobCounter = new AtomicInteger();
  private final AtomicInteger unavailablePolls = new AtomicInteger();
  private final AtomicInteger pollsBeforeShutdown = new AtomicInteger(-1);
  private volatile List<Frame> nextScript = List.of(Frame.of(JobState.SUCCEEDED, 1));
  private volatile byte[] nextResult = new byte[0];
  private volatile String kernelRefusal;
  private volatile ObjectNode jobRefusal;
  private volatile Set<String> acceptedCredentials;
  private final FakeAdminApi admin = new FakeAdminApi();

  public FakeSurgeServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** A URL on which nothing listens: a port that was free a moment ago. */
  public static URI unreachableUri() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requests(String method, String pathPrefix) {
    return requests.stream()
        .filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix))
        .toList();
  }

  public void storeKernel(byte[] wasm) {
    kernels.add(Sha256.of(wasm));
  }

  /** Every later kernel upload answers 400 with this reason. */
  public void refuseKernels(String reason) {
    kernelRefusal = reason;
  }

  /**
   * From now on, a request without one of these {@code Authorization} headers answers 401 (none
   * given) and a request with {@code forbidden} answers 403, as the real server's filter does.
   */
  public void requireCredential(String... authorizations) {
    acceptedCredentials = Set.of(authorizations);
  }

  /** The operator endpoints and whoami, for admin command tests. */
  public FakeAdminApi admin() {
    return admin;
  }

  /** Every later job submission answers 400 with this reason, blaming this field. */
  public void refuseJobs(String reason, String field) {
    jobRefusal = error(reason).put("field", field);
  }

  /** The next submitted job shows these statuses, one per poll, and then has this result. */
  public void scriptNextJob(byte[] result, Frame... frames) {
    nextResult = result;
    nextScript = List.of(frames);
  }

  /** The next {@code n} status polls answer 503, as a restarting server behind a proxy would. */
  public void unavailableForPolls(int n) {
    unavailablePolls.set(n);
  }

  /** Stops listening after {@code n} more status polls, as a crashed server would. */
  public void shutDownAfterPolls(int n) {
    pollsBeforeShutdown.set(n);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      URI uri = exchange.getRequestURI();
      String method = exchange.getRequestMethod();
      String path = uri.getRawPath();
      requests.add(
          new Request(
              method,
              path,
              uri.getRawQuery(),
              exchange.getRequestHeaders().getFirst("Content-Type"),
              exchange.getRequestHeaders().getFirst("Authorization"),
              body));
      Set<String> accepted = acceptedCredentials;
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (accepted != null
          && !path.equals("/health")
          && (authorization == null || !accepted.contains(authorization))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"surge\"");
        send(
            exchange,
            401,
            error(authorization == null ? "a credential is required" : "invalid credential"));
        return;
      }
      route(exchange, method, path, body);
    }
  }

  private void route(HttpExchange ex, String method, String path, byte[] body) throws IOException {
    String[] parts = path.substring(1).split("/");
    if (method.equals("HEAD") && path.startsWith("/api/kernels/")) {
      ex.sendResponseHeaders(kernels.contains(parts[2]) ? 200 : 404, -1);
    } else if (method.equals("POST") && path.equals("/api/kernels")) {
      if (kernelRefusal != null) {
        send(ex, 400, JSON.createObjectNode().put("error", kernelRefusal).put("field", "kernel"));
        return;
      }
      String sha = Sha256.of(body);
      boolean created = kernels.add(sha);
      ObjectNode answer = JSON.createObjectNode().put("sha256", sha).put("size", body.length);
      answer.putArray("imports").add("wasi_snapshot_preview1.fd_write");
      send(ex, created ? 201 : 200, answer);
    } else if (method.equals("POST") && path.equals("/api/inputs")) {
      send(
          ex, 201, JSON.createObjectNode().put("sha256", Sha256.of(body)).put("size", body.length));
    } else if (method.equals("POST") && path.equals("/api/jobs")) {
      submit(ex, body);
    } else if (method.equals("GET") && path.equals("/api/jobs")) {
      list(ex, ex.getRequestURI().getRawQuery());
    } else if (path.startsWith("/api/jobs/")) {
      job(ex, method, parts);
    } else if (path.startsWith("/api/admin/") || path.equals("/api/whoami")) {
      FakeAdminApi.Answer answer =
          admin.handle(method, path, body, ex.getRequestHeaders().getFirst("Authorization"));
      if (answer.json() != null) {
        send(ex, answer.status(), answer.json());
      } else if (answer.raw() != null) {
        ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        ex.sendResponseHeaders(answer.status(), answer.raw().length);
        ex.getResponseBody().write(answer.raw());
      } else {
        ex.sendResponseHeaders(answer.status(), -1);
      }
    } else {
      send(ex, 404, error("no route " + method + " " + path));
    }
  }

  private void submit(HttpExchange ex, byte[] body) throws IOException {
    JsonNode spec = JSON.readTree(body);
    if (jobRefusal != null) {
      send(ex, 400, jobRefusal);
      return;
    }
    if (!kernels.contains(spec.path("kernel").asText())) {
      send(ex, 400, error("unknown kernel " + spec.path("kernel").asText()).put("field", "kernel"));
      return;
    }
    String id = String.format("j-%06d", jobCounter.incrementAndGet());
    Job job = new Job(id, spec, nextScript, nextResult);
    jobs.put(id, job);
    send(ex, 201, status(job));
  }

  private void list(HttpExchange ex, String query) throws IOException {
    String state =
        query != null && query.contains("state=")
            ? query.replaceAll(".*state=([A-Z]+).*", "$1")
            : null;
    ArrayNode answer = JSON.createArrayNode();
    List<Job> newestFirst = new ArrayList<>(jobs.values());
    newestFirst.sort((a, b) -> b.id.compareTo(a.id));
    for (Job job : newestFirst) {
      if (state == null || job.current.state().name().equals(state)) {
        answer.add(status(job));
      }
    }
    send(ex, 200, answer);
  }

  private void job(HttpExchange ex, String method, String[] parts) throws IOException {
    Job job = jobs.get(parts[2]);
    if (job == null) {
      send(ex, 404, error("no job " + parts[2]).put("field", "id"));
      return;
    }
    String action = parts.length > 3 ? parts[3] : "";
    synchronized (job) {
      if (method.equals("GET") && action.isEmpty()) {
        if (unavailablePolls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          byte[] page = "<html>Service Unavailable</html>".getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "text/html");
          ex.sendResponseHeaders(503, page.length);
          ex.getResponseBody().write(page);
          return;
        }
        if (pollsBeforeShutdown.get() >= 0 && pollsBeforeShutdown.getAndDecrement() == 0) {
          new Thread(this::close).start();
        }
        Frame next = job.frames.poll();
        if (next != null && !job.current.state().isEnded()) {
          job.current = next;
        }
        send(ex, 200, status(job));
      } else if (method.equals("GET") && action.equals("result")) {
        if (!accepts(ex, "application/octet-stream")) {
          // As JAX-RS does for a @Produces(APPLICATION_OCTET_STREAM) resource.
          ex.sendResponseHeaders(406, -1);
          return;
        }
        if (job.current.state() != JobState.SUCCEEDED) {
          send(ex, 409, error("job " + job.id + " is " + job.current.state()));
          return;
        }
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, job.result.length == 0 ? -1 : job.result.length);
        ex.getResponseBody().write(job.result);
      } else if (method.equals("POST") && action.equals("cancel")) {
        if (!job.current.state().isEnded()) {
          job.current = new Frame(JobState.CANCELLED, job.current.done(), 0, null);
          job.frames.clear();
        }
        send(ex, 200, status(job));
      } else {
        send(ex, 405, error(method + " not allowed"));
      }
    }
  }

  private ObjectNode status(Job job) {
    Frame frame = job.current;
    int total = job.spec.path("tasks").asInt();
    int leased = frame.state() == JobState.RUNNING ? Math.min(2, total - frame.done()) : 0;
    int queued = frame.state().isEnded() ? 0 : total - frame.done() - leased;
    ObjectNode node = JSON.createObjectNode().put("id", job.id);
    node.put("name", job.spec.path("name").asText(null));
    node.put("state", frame.state().name());
    ObjectNode tasks = node.putObject("tasks");
    tasks.put("total", total).put("queued", queued).put("leased", leased);
    tasks.put("done", frame.done()).put("failed", frame.failed());
    node.put("createdAt", "2026-11-23T17:00:00Z");
    node.put("startedAt", frame.state() == JobState.QUEUED ? null : "2026-11-23T17:00:01Z");
    node.put("finishedAt", frame.state().isEnded() ? "2026-11-23T17:00:09Z" : null);
    if (frame.state() == JobState.SUCCEEDED) {
      node.put("resultSize", job.result.length);
    } else {
      node.putNull("resultSize");
    }
    node.set("error", frame.error() == null ? null : JSON.valueToTree(frame.error()));
    if (frame.verification() != null) {
      node.set("verification", JSON.valueToTree(frame.verification()));
    }
    return node;
  }

  private static boolean accepts(HttpExchange ex, String type) {
    String accept = ex.getRequestHeaders().getFirst("Accept");
    return accept == null || accept.contains(type) || accept.contains("*/*");
  }

  static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    if (status < 300 && !accepts(ex, "application/json")) {
      ex.sendResponseHeaders(406, -1);
      return;
    }
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }
}
