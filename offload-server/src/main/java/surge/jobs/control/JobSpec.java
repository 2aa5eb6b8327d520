package surge.jobs.control;

import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import surge.api.Hashes;
import surge.api.JsonDepth;
import surge.api.Problem;
import surge.dispatch.Comparison;
import surge.dispatch.Verify;
import surge.jobs.entity.MergeKind;
import surge.jobs.entity.SplitMode;

/**
 * A job as a user asks for it ({@code POST /api/jobs}, see docs/api.md), checked field by field:
 * every refusal names the field and says what would be accepted.
 */
public record JobSpec(
    Optional<String> name,
    String kernel,
    int tasks,
    Optional<InputSpec> input,
    List<String> args,
    Map<String, String> env,
    MergeKind merge,
    Optional<String> reducer,
    int priority,
    Optional<Instant> deadline,
    Optional<String> slurmJobId,
    Optional<Duration> taskTimeout,
    Optional<String> verify,
    Optional<Double> verifyError,
    Optional<Comparison> compare) {

  public record InputSpec(String sha256, SplitMode split) {}

  private static final JsonProvider JSON = JsonProvider.provider();
  private static final Set<String> FIELDS =
      Set.of(
          "name",
          "kernel",
          "tasks",
          "input",
          "args",
          "env",
          "merge",
          "priority",
          "deadline",
          "slurmJobId",
          "taskTimeout",
          "verify",
          "verifyError",
          "compare");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> RESERVED_ENV = Set.of("SURGE_TASK_INDEX", "SURGE_TASK_COUNT");

  public static JobSpec parse(String body, int maxTasks, Instant now) {
    JsonObject o;
    if (body != null && JsonDepth.exceeds(body, JsonDepth.LIMIT)) {
      throw Problem.badField(null, JsonDepth.refusal("the job"));
    }
    try (var reader = JSON.createReader(new StringReader(body == null ? "" : body))) {
      if (!(reader.readValue() instanceof JsonObject obj)) {
        throw Problem.badField(null, "the job must be a JSON object");
      }
      o = obj;
    } catch (JsonException | NumberFormatException e) {
      // NumberFormatException: a number Parsson's BigDecimal cannot hold, such as 1e999999999.
      throw Problem.badField(null, "the job is not valid JSON: " + e.getMessage());
    }
    for (String key : o.keySet()) {
      if (!FIELDS.contains(key)) {
        throw Problem.badField(key, "unknown field '" + key + "'; the fields are " + FIELDS);
      }
    }
    String kernel = sha(o, "kernel");
    int tasks = integer(o, "tasks", null, 1, maxTasks, "SURGE_MAX_TASKS");
    Optional<InputSpec> input = Optional.empty();
    if (present(o, "input")) {
      if (!(o.get("input") instanceof JsonObject in)) {
        throw Problem.badField(
            "input", "input must be an object {\"sha256\": ..., \"split\": ...}");
      }
      String split = string(in, "input.split", "split", true).orElseThrow();
      SplitMode mode =
          switch (split) {
            case "lines" -> SplitMode.LINES;
            case "bytes" -> SplitMode.BYTES;
            default ->
                throw Problem.badField(
                    "input.split", "input.split must be 'lines' or 'bytes', got '" + split + "'");
          };
      input = Optional.of(new InputSpec(sha(in, "input.sha256", "sha256"), mode));
    }
    List<String> args = new ArrayList<>();
    if (present(o, "args")) {
      if (!(o.get("args") instanceof JsonArray a)) {
        throw Problem.badField("args", "args must be an array of strings");
      }
      if (a.size() > 1000) {
        throw Problem.badField("args", "at most 1000 arguments, got " + a.size());
      }
      for (int i = 0; i < a.size(); i++) {
        if (!(a.get(i) instanceof JsonString s)) {
          throw Problem.badField("args[" + i + "]", "args[" + i + "] must be a string");
        }
        args.add(s.getString());
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    if (present(o, "env")) {
      if (!(o.get("env") instanceof JsonObject e)) {
        throw Problem.badField("env", "env must be an object of strings");
      }
      for (var entry : e.entrySet()) {
        String key = entry.getKey();
        String field = "env." + key;
        if (!ENV_NAME.matcher(key).matches()) {
          throw Problem.badField(field, "'" + key + "' is not a valid environment variable name");
        }
        if (RESERVED_ENV.contains(key)) {
          throw Problem.badField(field, key + " is set by Surge for each task");
        }
        if (!(entry.getValue() instanceof JsonString s)) {
          throw Problem.badField(field, field + " must be a string");
        }
        env.put(key, s.getString());
      }
    }
    MergeKind merge = MergeKind.CONCAT;
    Optional<String> reducer = Optional.empty();
    if (present(o, "merge")) {
      if (!(o.get("merge") instanceof JsonObject m)) {
        throw Problem.badField("merge", "merge must be an object such as {\"kind\": \"concat\"}");
      }
      String kind = string(m, "merge.kind", "kind", true).orElseThrow();
      merge =
          switch (kind) {
            case "concat" -> MergeKind.CONCAT;
            case "sum" -> MergeKind.SUM;
            case "reduce" -> MergeKind.REDUCE;
            default ->
                throw Problem.badField(
                    "merge.kind",
                    "merge.kind must be 'concat', 'sum' or 'reduce', got '" + kind + "'");
          };
      if (merge == MergeKind.REDUCE) {
        reducer = Optional.of(sha(m, "merge.kernel", "kernel"));
      } else if (present(m, "kernel")) {
        throw Problem.badField("merge.kernel", "merge.kernel is only for merge.kind 'reduce'");
      }
    }
    int priority = present(o, "priority") ? integer(o, "priority", null, -1000, 1000, null) : 0;
    Optional<Instant> deadline = Optional.empty();
    if (present(o, "deadline")) {
      String text = string(o, "deadline", "deadline", true).orElseThrow();
      try {
        Instant d = Instant.parse(text);
        if (!d.isAfter(now)) {
          throw Problem.badField("deadline", "deadline " + text + " is already past");
        }
        deadline = Optional.of(d);
      } catch (DateTimeParseException e) {
        throw Problem.badField(
            "deadline", "deadline must be an ISO-8601 instant such as 2026-11-23T18:00:00Z");
      }
    }
    Optional<String> name = string(o, "name", "name", false);
    name.filter(n -> n.length() > 200)
        .ifPresent(
            n -> {
              throw Problem.badField("name", "name is longer than 200 characters");
            });
    name.ifPresent(n -> refuseControlCharacters("name", n));
    Optional<String> slurm = string(o, "slurmJobId", "slurmJobId", false);
    slurm.ifPresent(s -> refuseControlCharacters("slurmJobId", s));
    slurm
        .filter(s -> s.length() > 64)
        .ifPresent(
            s -> {
              throw Problem.badField("slurmJobId", "slurmJobId is longer than 64 characters");
            });
    // Whole seconds; the server's maximum (SURGE_MAX_TASK_TIMEOUT) is checked by Jobs.
    Optional<Duration> taskTimeout =
        present(o, "taskTimeout")
            ? Optional.of(
                Duration.ofSeconds(integer(o, "taskTimeout", null, 1, 366 * 86_400, null)))
            : Optional.empty();
    Optional<String> verify = string(o, "verify", "verify", false);
    verify.ifPresent(
        v -> {
          try {
            Verify.parse(v, 1e-4, Comparison.BYTES);
          } catch (IllegalArgumentException e) {
            throw Problem.badField("verify", "verify: " + e.getMessage());
          }
        });
    Optional<Double> verifyError = Optional.empty();
    if (present(o, "verifyError")) {
      if (!(o.get("verifyError") instanceof JsonNumber n)) {
        throw Problem.badField("verifyError", "verifyError must be a number such as 1e-4");
      }
      double e = n.doubleValue();
      if (!(e >= 1e-12 && e <= 0.5)) {
        throw Problem.badField(
            "verifyError", "verifyError must be between 1e-12 and 0.5, got " + n);
      }
      if (verify.isPresent() && !verify.get().equals("adaptive")) {
        throw Problem.badField(
            "verifyError",
            "verifyError is the target of verify 'adaptive', not of '" + verify.get() + "'");
      }
      verifyError = Optional.of(e);
    }
    Optional<Comparison> compare = Optional.empty();
    Optional<String> compareText = string(o, "compare", "compare", false);
    if (compareText.isPresent()) {
      try {
        compare = Optional.of(Comparison.parse(compareText.get()));
      } catch (IllegalArgumentException e) {
        throw Problem.badField("compare", "compare: " + e.getMessage());
      }
    }
    return new JobSpec(
        name,
        kernel,
        tasks,
        input,
        List.copyOf(args),
        env,
        merge,
        reducer,
        priority,
        deadline,
        slurm,
        taskTimeout,
        verify,
        verifyError,
        compare);
  }

  /**
   * Names are shown to people: in terminals (surge status, squeue), logs and the dashboard. C0 and
   * C1 controls and DEL (ESC starts terminal sequences, a newline forges a log line) and the
   * bidirectional overrides and isolates (U+202E shows {@code exe.txt} as {@code txt.exe}) are
   * refused rather than stored.
   */
  static void refuseControlCharacters(String field, String value) {
    for (int i = 0; i < value.length(); ) {
      int c = value.codePointAt(i);
      if (c < 0x20
          || (c >= 0x7F && c <= 0x9F)
          || c == 0x061C
          || c == 0x200E
          || c == 0x200F
          || c == 0x2028
          || c == 0x2029
          || (c >= 0x202A && c <= 0x202E)
          || (c >= 0x2066 && c <= 0x2069)) {
        throw Problem.badField(
            field,
            String.format(
                "%s may not hold control or bidirectional-override characters, found U+%04X at"
                    + " character %d",
                field, c, i + 1));
      }
      i += Character.charCount(c);
    }
  }

  private static boolean present(JsonObject o, String key) {
    return o.containsKey(key) && o.get(key).getValueType() != JsonValue.ValueType.NULL;
  }

  private static Optional<String> string(JsonObject o, String field, String key, boolean required) {
    if (!present(o, key)) {
      if (required) {
        throw Problem.badField(field, field + " is required");
      }
      return Optional.empty();
    }
    if (!(o.get(key) instanceof JsonString s)) {
      throw Problem.badField(field, field + " must be a string");
    }
    return Optional.of(s.getString());
  }

  private static String sha(JsonObject o, String field) {
    return sha(o, field, field);
  }

  private static String sha(JsonObject o, String field, String key) {
    String s = string(o, field, key, true).orElseThrow();
    if (!Hashes.isSha256(s)) {
      throw Problem.badField(
          field, field + " must be a sha256 (64 lower-case hex digits) of an uploaded file");
    }
    return s;
  }

  private static int integer(
      JsonObject o, String field, String key, int min, int max, String limitName) {
    String k = key == null ? field : key;
    if (!present(o, k)) {
      throw Problem.badField(field, field + " is required");
    }
    if (!(o.get(k) instanceof JsonNumber n) || !n.isIntegral()) {
      throw Problem.badField(field, field + " must be a whole number");
    }
    long v;
    try {
      v = n.longValueExact();
    } catch (ArithmeticException e) {
      v = Long.MAX_VALUE;
    }
    if (v < min || v > max) {
      throw Problem.badField(
          field,
          field
              + " must be between "
              + min
              + " and "
              + max
              + (limitName == null ? "" : " (" + limitName + ")")
              + ", got "
              + n);
    }
    return (int) v;
  }
}
