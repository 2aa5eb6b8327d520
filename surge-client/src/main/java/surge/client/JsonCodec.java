package surge.client;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The client's JSON, written and read field by field with JSON-P, as the server does. A data
 * binding library costs a command-line tool about 0.4 s of start-up (class loading and set-up) on
 * every run, and {@code surge offload} starts once per Slurm job; this costs under 0.1 s. Unknown
 * fields are ignored so that an older client reads a newer server's answers.
 */
public final class JsonCodec {
  private JsonCodec() {}

  /** The body of {@code POST /api/jobs}: optional fields that are unset are left out. */
  public static String toJson(JobSpec spec) {
    JsonObjectBuilder o = Json.createObjectBuilder();
    if (spec.name() != null) {
      o.add("name", spec.name());
    }
    o.add("kernel", spec.kernel()).add("tasks", spec.tasks());
    if (spec.input() != null) {
      o.add(
          "input",
          Json.createObjectBuilder()
              .add("sha256", spec.input().sha256())
              .add("split", spec.input().split().wire()));
    }
    if (!spec.args().isEmpty()) {
      JsonArrayBuilder args = Json.createArrayBuilder();
      spec.args().forEach(args::add);
      o.add("args", args);
    }
    if (!spec.env().isEmpty()) {
      JsonObjectBuilder env = Json.createObjectBuilder();
      spec.env().forEach(env::add);
      o.add("env", env);
    }
    if (spec.merge() != null) {
      JsonObjectBuilder merge = Json.createObjectBuilder().add("kind", spec.merge().kind().wire());
      if (spec.merge().kernel() != null) {
        merge.add("kernel", spec.merge().kernel());
      }
      o.add("merge", merge);
    }
    if (spec.priority() != null) {
      o.add("priority", spec.priority());
    }
    if (spec.deadline() != null) {
      o.add("deadline", spec.deadline().toString());
    }
    if (spec.slurmJobId() != null) {
      o.add("slurmJobId", spec.slurmJobId());
    }
    if (spec.taskTimeout() != null) {
      o.add("taskTimeout", spec.taskTimeout().toSeconds());
    }
    if (spec.verify() != null) {
      o.add("verify", spec.verify());
    }
    if (spec.verifyError() != null) {
      o.add("verifyError", spec.verifyError());
    }
    if (spec.compare() != null) {
      o.add("compare", spec.compare());
    }
    return o.build().toString();
  }

  /** Reads a job spec (the documented example, or a spec kept by a workflow tool). */
  public static JobSpec jobSpec(String json) {
    JsonObject o = object(json);
    JobSpec.Builder b = JobSpec.builder(o.getString("kernel"), o.getInt("tasks"));
    text(o, "name").ifPresent(b::name);
    if (present(o, "input")) {
      JsonObject in = o.getJsonObject("input");
      b.input(in.getString("sha256"), JobSpec.Split.fromWire(in.getString("split")));
    }
    if (present(o, "args")) {
      List<String> args = new ArrayList<>();
      for (JsonValue v : o.getJsonArray("args")) {
        args.add(((JsonString) v).getString());
      }
      b.args(args);
    }
    if (present(o, "env")) {
      Map<String, String> env = new LinkedHashMap<>();
      o.getJsonObject("env").forEach((k, v) -> env.put(k, ((JsonString) v).getString()));
      b.env(env);
    }
    if (present(o, "merge")) {
      JsonObject m = o.getJsonObject("merge");
      JobSpec.MergeKind kind = JobSpec.MergeKind.fromWire(m.getString("kind"));
      b.merge(
          kind == JobSpec.MergeKind.REDUCE
              ? JobSpec.Merge.reduce(m.getString("kernel"))
              : JobSpec.Merge.of(kind));
    }
    integer(o, "priority").ifPresent(b::priority);
    instant(o, "deadline").ifPresent(b::deadline);
    text(o, "slurmJobId").ifPresent(b::slurmJobId);
    integer(o, "taskTimeout").map(java.time.Duration::ofSeconds).ifPresent(b::taskTimeout);
    text(o, "verify").ifPresent(b::verify);
    if (present(o, "verifyError")) {
      b.verifyError(o.getJsonNumber("verifyError").doubleValue());
    }
    text(o, "compare").ifPresent(b::compare);
    return b.build();
  }

  /** {@code GET /api/jobs/{id}} and the other answers that carry one job's status. */
  public static JobStatus jobStatus(String json) {
    return jobStatus(object(json));
  }

  /** {@code GET /api/jobs}: a bare array, or one wrapped as {@code {"jobs": [...]}}. */
  public static List<JobStatus> jobStatuses(String json) {
    JsonValue v = value(json);
    JsonArray list =
        v.getValueType() == JsonValue.ValueType.OBJECT
            ? v.asJsonObject().getJsonArray("jobs")
            : v.asJsonArray();
    List<JobStatus> out = new ArrayList<>();
    for (JsonValue job : list) {
      out.add(jobStatus(job.asJsonObject()));
    }
    return out;
  }

  static JobStatus jobStatus(JsonObject o) {
    JobStatus.TaskCounts tasks = null;
    if (present(o, "tasks")) {
      JsonObject t = o.getJsonObject("tasks");
      tasks =
          new JobStatus.TaskCounts(
              t.getInt("total", 0),
              t.getInt("queued", 0),
              t.getInt("leased", 0),
              t.getInt("done", 0),
              t.getInt("failed", 0));
    }
    return new JobStatus(
        o.getString("id"),
        text(o, "name").orElse(null),
        JobState.valueOf(o.getString("state").toUpperCase(Locale.ROOT)),
        tasks,
        instant(o, "createdAt").orElse(null),
        instant(o, "startedAt").orElse(null),
        instant(o, "finishedAt").orElse(null),
        present(o, "resultSize") ? o.getJsonNumber("resultSize").longValueExact() : null,
        present(o, "error") ? failure(o.getJsonObject("error")) : null,
        text(o, "slurmJobId").orElse(null),
        verificationSummary(o).orElse(null));
  }

  /**
   * {@code verification.summary}; empty when the server sent no {@code verification} (an older one)
   * or one without a summary, which is shown as nothing rather than failing the client.
   */
  private static Optional<String> verificationSummary(JsonObject o) {
    if (!present(o, "verification")
        || o.get("verification").getValueType() != JsonValue.ValueType.OBJECT) {
      return Optional.empty();
    }
    JsonObject v = o.getJsonObject("verification");
    return present(v, "summary") && v.get("summary").getValueType() == JsonValue.ValueType.STRING
        ? Optional.of(v.getString("summary"))
        : Optional.empty();
  }

  /** The {@code error} object of a failed job. */
  public static JobStatus.Failure failure(String json) {
    return failure(object(json));
  }

  static JobStatus.Failure failure(JsonObject e) {
    return new JobStatus.Failure(
        e.getString("message"),
        integer(e, "task").orElse(null),
        integer(e, "exitCode").orElse(null),
        text(e, "stderrTail").orElse(null));
  }

  /** The answer to a kernel or input upload. */
  public static StoredBlob storedBlob(String json) {
    JsonObject o = object(json);
    List<String> imports = new ArrayList<>();
    if (present(o, "imports")) {
      for (JsonValue v : o.getJsonArray("imports")) {
        imports.add(((JsonString) v).getString());
      }
    }
    return new StoredBlob(o.getString("sha256"), o.getJsonNumber("size").longValueExact(), imports);
  }

  /** The documented error body {@code {"error": "...", "field": "..."}}, if that is what it is. */
  static Optional<String[]> error(String body) {
    try {
      JsonValue v = value(body);
      if (v.getValueType() != JsonValue.ValueType.OBJECT || !present(v.asJsonObject(), "error")) {
        return Optional.empty();
      }
      JsonObject o = v.asJsonObject();
      JsonValue error = o.get("error");
      String message =
          error instanceof JsonString ? ((JsonString) error).getString() : error.toString();
      return Optional.of(new String[] {message, text(o, "field").orElse(null)});
    } catch (JsonException | IllegalStateException | ClassCastException e) {
      return Optional.empty();
    }
  }

  static JsonValue value(String json) {
    try (var reader = Json.createReader(new StringReader(json))) {
      return reader.readValue();
    }
  }

  private static JsonObject object(String json) {
    return value(json).asJsonObject();
  }

  private static boolean present(JsonObject o, String key) {
    return o.containsKey(key) && o.get(key).getValueType() != JsonValue.ValueType.NULL;
  }

  private static Optional<String> text(JsonObject o, String key) {
    return present(o, key) ? Optional.of(o.getString(key)) : Optional.empty();
  }

  private static Optional<Integer> integer(JsonObject o, String key) {
    return present(o, key)
        ? Optional.of(((JsonNumber) o.get(key)).intValueExact())
        : Optional.empty();
  }

  private static Optional<Instant> instant(JsonObject o, String key) {
    if (!present(o, key)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(o.getString(key)));
    } catch (DateTimeParseException e) {
      throw new JsonException(key + " is not an ISO-8601 instant: " + o.get(key), e);
    }
  }
}
