package surge.volunteers.protocol;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGenerator;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import surge.api.JsonDepth;
import surge.volunteers.protocol.Decoded.Kind;
import surge.volunteers.protocol.Message.*;

/**
 * Encodes and decodes the volunteer protocol ({@code protocol/PROTOCOL.md}). Decoding checks every
 * field the document names and says which one is wrong, so a volunteer author can fix it.
 */
public final class Codec {
  /** The message types of PROTOCOL.md's table, in its order. */
  public static final List<String> TYPES =
      List.of(
          "hello",
          "welcome",
          "request",
          "tasks",
          "heartbeat",
          "results",
          "release",
          "checkpoint",
          "cancel",
          "error");

  // Looking the provider up once matters: Json.createReader does a ServiceLoader scan each call.
  private static final JsonProvider JSON = JsonProvider.provider();
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private Codec() {}

  /** Decodes one text frame. Never throws. */
  public static Decoded decode(String text) {
    JsonObject o;
    if (JsonDepth.exceeds(text, JsonDepth.LIMIT)) {
      return refuse(Kind.MALFORMED, null, JsonDepth.refusal("the frame"));
    }
    try (var reader = JSON.createReader(new StringReader(text))) {
      JsonValue v = reader.readValue();
      if (!(v instanceof JsonObject obj)) {
        return refuse(Kind.MALFORMED, null, "a frame must be a JSON object");
      }
      o = obj;
    } catch (jakarta.json.JsonException | NumberFormatException e) {
      // Parsson reads a number such as 1e999999999 into a BigDecimal, which refuses it with a
      // NumberFormatException rather than a JsonException (found by CodecFuzzTest).
      return refuse(Kind.MALFORMED, null, "not JSON: " + e.getMessage());
    }
    if (!(o.get("type") instanceof JsonString type)) {
      return refuse(Kind.MALFORMED, null, "a message needs a string field 'type'");
    }
    try {
      Message m =
          switch (type.getString()) {
            case "hello" -> hello(new Fields(o, ""));
            case "welcome" -> welcome(new Fields(o, ""));
            case "request" -> new Request(new Fields(o, "").integer("count", 1, Integer.MAX_VALUE));
            case "tasks" -> tasks(new Fields(o, ""));
            case "heartbeat" -> heartbeat(new Fields(o, ""));
            case "results" -> results(new Fields(o, ""));
            case "release" -> release(new Fields(o, ""));
            case "checkpoint" -> checkpoint(new Fields(o, ""));
            case "cancel" -> cancel(new Fields(o, ""));
            case "error" -> error(new Fields(o, ""));
            default -> null;
          };
      if (m == null) {
        return refuse(Kind.UNKNOWN_TYPE, null, "unknown message type '" + type.getString() + "'");
      }
      return new Decoded.Ok(m);
    } catch (BadField e) {
      return refuse(Kind.BAD_MESSAGE, e.field, e.getMessage());
    }
  }

  private static Decoded refuse(Kind kind, String field, String reason) {
    return new Decoded.Refused(kind, Optional.ofNullable(field), reason);
  }

  private static Hello hello(Fields f) {
    int protocol = f.integer("protocol", 0, Integer.MAX_VALUE);
    Optional<String> token = f.optionalString("token");
    Optional<String> key = f.optionalString("key");
    if (token.isPresent() == key.isPresent()) {
      throw new BadField(
          token.isPresent() ? "key" : "token", "exactly one of token and key must be given");
    }
    return new Hello(
        protocol,
        token,
        key,
        f.string("agent"),
        f.integer("workers", 1, 4096),
        f.strings("features"));
  }

  private static Welcome welcome(Fields f) {
    return new Welcome(
        f.string("session"),
        f.longInt("heartbeatMs", 1),
        f.longInt("leaseMs", 1),
        f.integer("batch", 1, Integer.MAX_VALUE),
        f.integer("prefetchBelow", 0, Integer.MAX_VALUE),
        f.integer("maxMessageBytes", 1, Integer.MAX_VALUE),
        f.has("checkpointMs") ? f.longInt("checkpointMs", 0) : 0,
        f.has("maxCheckpointBytes") ? f.integer("maxCheckpointBytes", 0, Integer.MAX_VALUE) : 0,
        f.has("idleHeartbeatMs") ? f.longInt("idleHeartbeatMs", 0) : 0);
  }

  private static Message.Checkpoint checkpoint(Fields f) {
    return new Message.Checkpoint(
        f.string("job"),
        f.integer("index", 0, Integer.MAX_VALUE),
        f.longInt("lease", 0),
        f.fraction("progress"),
        f.base64("data"));
  }

  private static Tasks tasks(Fields f) {
    List<Task> tasks = new ArrayList<>();
    for (Fields t : f.objects("tasks")) {
      tasks.add(
          new Task(
              t.string("job"),
              t.integer("index", 0, Integer.MAX_VALUE),
              t.longInt("lease", 0),
              t.sha256("kernel"),
              t.strings("args"),
              t.stringMap("env"),
              t.base64("stdin"),
              t.longInt("leaseExpires", 0),
              t.longInt("timeoutMs", 1),
              t.has("checkpoint")
                  ? Optional.of(resume(t.object("checkpoint")))
                  : Optional.empty()));
    }
    return new Tasks(tasks);
  }

  private static Message.Resume resume(Fields f) {
    return new Message.Resume(f.fraction("progress"), f.base64("data"));
  }

  private static Heartbeat heartbeat(Fields f) {
    return new Heartbeat(f.longInt("seq", 0), f.integer("running", 0, Integer.MAX_VALUE));
  }

  private static Results results(Fields f) {
    List<Result> results = new ArrayList<>();
    for (Fields r : f.objects("results")) {
      results.add(
          new Result(
              r.string("job"),
              r.integer("index", 0, Integer.MAX_VALUE),
              r.longInt("lease", 0),
              r.oneOf("status", ResultStatus.values(), s -> s.wire),
              r.integer("exitCode", Integer.MIN_VALUE, Integer.MAX_VALUE),
              r.base64("stdout"),
              r.base64("stderr"),
              r.number("millis")));
    }
    return new Results(results);
  }

  private static Release release(Fields f) {
    List<TaskLease> tasks = new ArrayList<>();
    for (Fields t : f.objects("tasks")) {
      tasks.add(
          new TaskLease(
              t.string("job"), t.integer("index", 0, Integer.MAX_VALUE), t.longInt("lease", 0)));
    }
    return new Release(tasks, f.oneOf("reason", ReleaseReason.values(), r -> r.wire));
  }

  private static Cancel cancel(Fields f) {
    List<TaskRef> tasks = new ArrayList<>();
    for (Fields t : f.objects("tasks")) {
      tasks.add(new TaskRef(t.string("job"), t.integer("index", 0, Integer.MAX_VALUE)));
    }
    return new Cancel(tasks, f.string("reason"));
  }

  private static Message.Error error(Fields f) {
    return new Message.Error(f.oneOf("code", ErrorCode.values(), c -> c.wire), f.string("message"));
  }

  /** Encodes a message as one JSON text frame. */
  public static String encode(Message message) {
    var out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject().write("type", message.type());
      if (message instanceof Hello h) {
        g.write("protocol", h.protocol());
        h.token().ifPresent(t -> g.write("token", t));
        h.key().ifPresent(k -> g.write("key", k));
        g.write("agent", h.agent()).write("workers", h.workers());
        writeStrings(g, "features", h.features());

      } else if (message instanceof Welcome w) {
        g.write("session", w.session())
            .write("heartbeatMs", w.heartbeatMs())
            .write("leaseMs", w.leaseMs())
            .write("batch", w.batch())
            .write("prefetchBelow", w.prefetchBelow())
            .write("maxMessageBytes", w.maxMessageBytes());
        if (w.checkpointMs() > 0) {
          g.write("checkpointMs", w.checkpointMs())
              .write("maxCheckpointBytes", w.maxCheckpointBytes());
        }
        if (w.idleHeartbeatMs() > 0) {
          g.write("idleHeartbeatMs", w.idleHeartbeatMs());
        }

      } else if (message instanceof Request r) {
        g.write("count", r.count());

      } else if (message instanceof Tasks t) {
        g.writeStartArray("tasks");
        for (Task task : t.tasks()) {
          g.writeStartObject()
              .write("job", task.job())
              .write("index", task.index())
              .write("lease", task.lease())
              .write("kernel", task.kernel());
          writeStrings(g, "args", task.args());
          g.writeStartObject("env");
          task.env().forEach(g::write);
          g.writeEnd()
              .write("stdin", B64.encodeToString(task.stdin()))
              .write("leaseExpires", task.leaseExpires())
              .write("timeoutMs", task.timeoutMs());
          task.checkpoint()
              .ifPresent(
                  c ->
                      g.writeStartObject("checkpoint")
                          .write("progress", c.progress())
                          .write("data", B64.encodeToString(c.data()))
                          .writeEnd());
          g.writeEnd();
        }
        g.writeEnd();

      } else if (message instanceof Heartbeat h) {
        g.write("seq", h.seq()).write("running", h.running());

      } else if (message instanceof Results rs) {
        g.writeStartArray("results");
        for (Result r : rs.results()) {
          g.writeStartObject()
              .write("job", r.job())
              .write("index", r.index())
              .write("lease", r.lease())
              .write("status", r.status().wire)
              .write("exitCode", r.exitCode())
              .write("stdout", B64.encodeToString(r.stdout()))
              .write("stderr", B64.encodeToString(r.stderr()))
              .write("millis", r.millis())
              .writeEnd();
        }
        g.writeEnd();

      } else if (message instanceof Release r) {
        g.writeStartArray("tasks");
        for (TaskLease t : r.tasks()) {
          g.writeStartObject()
              .write("job", t.job())
              .write("index", t.index())
              .write("lease", t.lease())
              .writeEnd();
        }
        g.writeEnd().write("reason", r.reason().wire);

      } else if (message instanceof Message.Checkpoint c) {
        g.write("job", c.job())
            .write("index", c.index())
            .write("lease", c.lease())
            .write("progress", c.progress())
            .write("data", B64.encodeToString(c.data()));

      } else if (message instanceof Cancel c) {
        g.writeStartArray("tasks");
        for (TaskRef t : c.tasks()) {
          g.writeStartObject().write("job", t.job()).write("index", t.index()).writeEnd();
        }
        g.writeEnd().write("reason", c.reason());

      } else if (message instanceof Message.Error e) {
        g.write("code", e.code().wire).write("message", e.message());
      }
      g.writeEnd();
    }
    return out.toString();
  }

  private static void writeStrings(JsonGenerator g, String name, List<String> values) {
    g.writeStartArray(name);
    values.forEach(g::write);
    g.writeEnd();
  }

  /** A field failed validation; {@code field} is its path, e.g. {@code results[0].lease}. */
  private static final class BadField extends RuntimeException {
    final String field;

    BadField(String field, String message) {
      super(field + ": " + message, null, false, false);
      this.field = field;
    }
  }

  /** Typed, validating access to one JSON object's fields, naming them by path on failure. */
  private record Fields(JsonObject o, String prefix) {
    private String path(String name) {
      return prefix + name;
    }

    private JsonValue required(String name) {
      JsonValue v = o.get(name);
      if (v == null) {
        throw new BadField(path(name), "is missing");
      }
      return v;
    }

    String string(String name) {
      if (required(name) instanceof JsonString s) {
        return s.getString();
      }
      throw new BadField(path(name), "must be a string");
    }

    Optional<String> optionalString(String name) {
      return o.containsKey(name) ? Optional.of(string(name)) : Optional.empty();
    }

    String sha256(String name) {
      String s = string(name);
      if (s.length() != 64
          || !s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new BadField(path(name), "must be 64 lower-case hex digits");
      }
      return s;
    }

    long longInt(String name, long min) {
      if (required(name) instanceof JsonNumber n && n.isIntegral()) {
        long value;
        try {
          value = n.longValueExact();
        } catch (ArithmeticException e) {
          throw new BadField(path(name), "is out of range");
        }
        if (value < min) {
          throw new BadField(path(name), "must be at least " + min + ", got " + value);
        }
        return value;
      }
      throw new BadField(path(name), "must be a whole number");
    }

    int integer(String name, int min, int max) {
      long v = longInt(name, min);
      if (v > max) {
        throw new BadField(path(name), "must be at most " + max + ", got " + v);
      }
      return (int) v;
    }

    boolean has(String name) {
      return o.containsKey(name);
    }

    double fraction(String name) {
      double v = number(name);
      if (!(v >= 0 && v <= 1)) {
        throw new BadField(path(name), "must be a number from 0 to 1");
      }
      return v;
    }

    Fields object(String name) {
      if (!(required(name) instanceof JsonObject item)) {
        throw new BadField(path(name), "must be an object");
      }
      return new Fields(item, path(name) + ".");
    }

    double number(String name) {
      if (required(name) instanceof JsonNumber n) {
        return n.doubleValue();
      }
      throw new BadField(path(name), "must be a number");
    }

    byte[] base64(String name) {
      try {
        return B64D.decode(string(name));
      } catch (IllegalArgumentException e) {
        throw new BadField(path(name), "must be base64");
      }
    }

    List<String> strings(String name) {
      if (!(required(name) instanceof JsonArray a)) {
        throw new BadField(path(name), "must be an array of strings");
      }
      List<String> out = new ArrayList<>(a.size());
      for (int i = 0; i < a.size(); i++) {
        if (!(a.get(i) instanceof JsonString s)) {
          throw new BadField(path(name) + "[" + i + "]", "must be a string");
        }
        out.add(s.getString());
      }
      return out;
    }

    Map<String, String> stringMap(String name) {
      if (!(required(name) instanceof JsonObject m)) {
        throw new BadField(path(name), "must be an object of strings");
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (var e : m.entrySet()) {
        if (!(e.getValue() instanceof JsonString s)) {
          throw new BadField(path(name) + "." + e.getKey(), "must be a string");
        }
        out.put(e.getKey(), s.getString());
      }
      return out;
    }

    List<Fields> objects(String name) {
      if (!(required(name) instanceof JsonArray a)) {
        throw new BadField(path(name), "must be an array");
      }
      List<Fields> out = new ArrayList<>(a.size());
      for (int i = 0; i < a.size(); i++) {
        if (!(a.get(i) instanceof JsonObject item)) {
          throw new BadField(path(name) + "[" + i + "]", "must be an object");
        }
        out.add(new Fields(item, path(name) + "[" + i + "]."));
      }
      return out;
    }

    <E extends Enum<E>> E oneOf(
        String name, E[] values, java.util.function.Function<E, String> wire) {
      String s = string(name);
      for (E e : values) {
        if (wire.apply(e).equals(s)) {
          return e;
        }
      }
      Set<String> allowed = new java.util.LinkedHashSet<>();
      for (E e : values) {
        allowed.add(wire.apply(e));
      }
      throw new BadField(path(name), "must be one of " + allowed + ", got '" + s + "'");
    }
  }
}
