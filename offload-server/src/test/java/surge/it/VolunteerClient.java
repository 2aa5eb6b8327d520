package surge.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One volunteer connection speaking protocol/PROTOCOL.md with the JDK WebSocket client. It keeps
 * every message the server sends until a test takes it, and after a welcome it sends heartbeats as
 * a real volunteer does, so a slow test is not mistaken for a silent volunteer.
 */
final class VolunteerClient implements AutoCloseable {
  record Close(int code, String reason) {}

  private static final ScheduledExecutorService HEARTBEATS =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "it-volunteer-heartbeats");
            t.setDaemon(true);
            return t;
          });

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final List<JsonObject> inbox = new ArrayList<>();
  private final CompletableFuture<Close> closed = new CompletableFuture<>();
  private final AtomicLong seq = new AtomicLong();
  private WebSocket socket;
  private ScheduledFuture<?> heartbeats;

  private VolunteerClient() {}

  static VolunteerClient connect(URI uri) {
    return connect(uri, Optional.empty());
  }

  /** Connects with the Origin header a page of {@code origin} would send; none when empty. */
  static VolunteerClient connect(URI uri, Optional<String> origin) {
    try {
      return tryConnect(uri, origin).get(20, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new AssertionError("cannot connect to " + uri + ": " + e, e);
    }
  }

  /** The handshake's outcome, for tests that expect it to be refused. */
  static CompletableFuture<VolunteerClient> tryConnect(URI uri, Optional<String> origin) {
    var client = new VolunteerClient();
    var builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    origin.ifPresent(o -> builder.header("Origin", o));
    return builder
        .buildAsync(uri, client.new Listener())
        .thenApply(
            socket -> {
              client.socket = socket;
              return client;
            });
  }

  /** Says hello and answers the welcome; heartbeats start. */
  JsonObject hello(String token) {
    return hello(token, 2);
  }

  /** As above, claiming {@code workers} workers (a hostile volunteer may claim thousands). */
  JsonObject hello(String token, int workers) {
    sendHello("token", token, workers);
    return welcomed();
  }

  /** Says hello with a volunteer key (the centre's own machine) and answers the welcome. */
  JsonObject helloWithKey(String key) {
    sendHello("key", key, 2);
    return welcomed();
  }

  private JsonObject welcomed() {
    JsonObject welcome = await("welcome", Duration.ofSeconds(10));
    long every = Math.max(200, welcome.getJsonNumber("heartbeatMs").longValue() / 2);
    heartbeats =
        HEARTBEATS.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    return welcome;
  }

  void sendHello(String token) {
    sendHello("token", token, 2);
  }

  void sendHello(String token, int workers) {
    sendHello("token", token, workers);
  }

  /** A hello whose credential is {@code field} ("token" or "key"). */
  void sendHello(String field, String credential) {
    sendHello(field, credential, 2);
  }

  void sendHello(String field, String credential, int workers) {
    send(
        Json.createObjectBuilder()
            .add("type", "hello")
            .add("protocol", 1)
            .add(field, credential)
            .add("agent", "surge-it/1 (java.net.http)")
            .add("workers", workers)
            .add("features", Json.createArrayBuilder().add("wasi-preview1"))
            .build());
  }

  private void heartbeat() {
    try {
      send(
          Json.createObjectBuilder()
              .add("type", "heartbeat")
              .add("seq", seq.incrementAndGet())
              .add("running", 0)
              .build());
    } catch (AssertionError | RuntimeException e) {
      heartbeats.cancel(false);
    }
  }

  /** Stops the heartbeats (a peer that died without closing): the connection stays open. */
  void goSilent() {
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
  }

  void request(int count) {
    send(Json.createObjectBuilder().add("type", "request").add("count", count).build());
  }

  void results(Collection<JsonObject> results) {
    var array = Json.createArrayBuilder();
    results.forEach(array::add);
    send(Json.createObjectBuilder().add("type", "results").add("results", array).build());
  }

  void release(Collection<JsonObject> tasks, String reason) {
    var array = Json.createArrayBuilder();
    for (JsonObject t : tasks) {
      array.add(
          Json.createObjectBuilder()
              .add("job", t.getString("job"))
              .add("index", t.getInt("index"))
              .add("lease", t.getJsonNumber("lease").longValue()));
    }
    send(
        Json.createObjectBuilder()
            .add("type", "release")
            .add("tasks", array)
            .add("reason", reason)
            .build());
  }

  void send(JsonObject message) {
    send(message.toString());
  }

  /** One text frame; sends never overlap (the JDK client allows one outstanding send). */
  synchronized void send(String text) {
    try {
      socket.sendText(text, true).get(20, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new AssertionError("cannot send a frame: " + e, e);
    }
  }

  synchronized void sendBinary(byte[] bytes) {
    try {
      socket.sendBinary(ByteBuffer.wrap(bytes), true).get(20, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new AssertionError("cannot send a frame: " + e, e);
    }
  }

  /** Takes the first message of this type that arrived or arrives within the timeout. */
  JsonObject await(String type, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (inbox) {
      while (true) {
        for (Iterator<JsonObject> it = inbox.iterator(); it.hasNext(); ) {
          JsonObject m = it.next();
          if (type.equals(m.getString("type", null))) {
            it.remove();
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no '" + type + "' message within " + timeout + "; received " + inbox + closedNote());
        }
        waitOn(left);
      }
    }
  }

  /** Collects tasks from 'tasks' messages until it has {@code count}, or fails at the timeout. */
  List<JsonObject> awaitTasks(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonObject> tasks = new ArrayList<>();
    while (tasks.size() < count) {
      long left = deadline - System.nanoTime();
      JsonObject m;
      try {
        m = await("tasks", Duration.ofNanos(Math.max(0, left)));
      } catch (AssertionError e) {
        throw new AssertionError(
            "got " + tasks.size() + " of " + count + " tasks: " + tasks + "; " + e.getMessage(), e);
      }
      m.getJsonArray("tasks").forEach(t -> tasks.add(t.asJsonObject()));
    }
    return tasks;
  }

  /** Every task that arrives within the time given (for asserting that none does). */
  List<JsonObject> tasksWithin(Duration time) {
    List<JsonObject> tasks = new ArrayList<>();
    long deadline = System.nanoTime() + time.toNanos();
    synchronized (inbox) {
      while (true) {
        for (Iterator<JsonObject> it = inbox.iterator(); it.hasNext(); ) {
          JsonObject m = it.next();
          if ("tasks".equals(m.getString("type", null))) {
            it.remove();
            m.getJsonArray("tasks").forEach(t -> tasks.add(t.asJsonObject()));
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return tasks;
        }
        waitOn(left);
      }
    }
  }

  Close awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the server did not close the connection within " + timeout, e);
    } catch (ExecutionException e) {
      throw new AssertionError("the connection failed instead of closing: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  boolean isOpen() {
    return !closed.isDone() && !socket.isInputClosed();
  }

  private String closedNote() {
    return closed.isDone() ? " (the connection is closed: " + closed.getNow(null) + ")" : "";
  }

  private void waitOn(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(inbox, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Closes normally (1000) if still open. */
  @Override
  public void close() {
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
    if (isOpen()) {
      try {
        synchronized (this) {
          socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        }
        closed.get(10, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | TimeoutException e) {
        socket.abort();
      }
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String frame = text.toString();
        text.setLength(0);
        JsonObject message;
        try (var reader = Json.createReader(new StringReader(frame))) {
          message = reader.readObject();
        } catch (RuntimeException e) {
          message =
              Json.createObjectBuilder().add("type", "<not JSON>").add("frame", frame).build();
        }
        synchronized (inbox) {
          inbox.add(message);
          inbox.notifyAll();
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      synchronized (inbox) {
        inbox.add(Json.createObjectBuilder().add("type", "<binary>").build());
        inbox.notifyAll();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(new Close(statusCode, reason));
      synchronized (inbox) {
        inbox.notifyAll();
      }
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
      synchronized (inbox) {
        inbox.notifyAll();
      }
    }
  }
}
