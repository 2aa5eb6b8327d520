package surge.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The body of {@code POST /api/jobs}. Optional fields are null (or empty) and left out of the JSON,
 * so the server applies its own defaults.
 */
public record JobSpec(
    String name,
    String kernel,
    int tasks,
    Input input,
    List<String> args,
    Map<String, String> env,
    Merge merge,
    Integer priority,
    Instant deadline,
    String slurmJobId,
    Duration taskTimeout,
    String verify,
    Double verifyError,
    String compare) {

  public JobSpec {
    Objects.requireNonNull(kernel, "kernel");
    if (tasks < 1) {
      throw new IllegalArgumentException("tasks must be at least 1, got " + tasks);
    }
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : Map.copyOf(env);
  }

  public static Builder builder(String kernelSha256, int tasks) {
    return new Builder(kernelSha256, tasks);
  }

  /** How the input is cut into the tasks' stdin. */
  public enum Split {
    LINES,
    BYTES;

    /** The name in the JSON: {@code lines}, {@code bytes}. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Split fromWire(String name) {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** An uploaded input and how to split it. */
  public record Input(String sha256, Split split) {
    public Input {
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(split, "split");
    }
  }

  /** How the server merges the task outputs into the job result. */
  public enum MergeKind {
    CONCAT,
    SUM,
    REDUCE;

    /** The name in the JSON: {@code concat}, {@code sum}, {@code reduce}. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static MergeKind fromWire(String name) {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** {@code kernel} is the reducer's sha256, present only for {@link MergeKind#REDUCE}. */
  public record Merge(MergeKind kind, String kernel) {
    public Merge {
      Objects.requireNonNull(kind, "kind");
      if ((kind == MergeKind.REDUCE) != (kernel != null)) {
        throw new IllegalArgumentException("a reducer kernel goes with merge kind reduce only");
      }
    }

    public static Merge of(MergeKind kind) {
      return new Merge(kind, null);
    }

    public static Merge reduce(String reducerSha256) {
      return new Merge(MergeKind.REDUCE, reducerSha256);
    }
  }

  /** Names the optional fields, which a fourteen-argument constructor would not. */
  public static final class Builder {
    private final String kernel;
    private final int tasks;
    private String name;
    private Input input;
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Merge merge;
    private Integer priority;
    private Instant deadline;
    private String slurmJobId;
    private Duration taskTimeout;
    private String verify;
    private Double verifyError;
    private String compare;

    private Builder(String kernel, int tasks) {
      this.kernel = kernel;
      this.tasks = tasks;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder input(String sha256, Split split) {
      this.input = new Input(sha256, split);
      return this;
    }

    public Builder args(List<String> args) {
      this.args.addAll(args);
      return this;
    }

    public Builder env(Map<String, String> env) {
      this.env.putAll(env);
      return this;
    }

    public Builder merge(Merge merge) {
      this.merge = merge;
      return this;
    }

    public Builder priority(Integer priority) {
      this.priority = priority;
      return this;
    }

    public Builder deadline(Instant deadline) {
      this.deadline = deadline;
      return this;
    }

    public Builder slurmJobId(String slurmJobId) {
      this.slurmJobId = slurmJobId;
      return this;
    }

    /** Each task's wall-time limit, sent in whole seconds; null: the server's default. */
    public Builder taskTimeout(Duration taskTimeout) {
      this.taskTimeout = taskTimeout;
      return this;
    }

    /** {@code adaptive}, {@code replicate=N} or {@code none}; null: the server's default. */
    public Builder verify(String verify) {
      this.verify = verify;
      return this;
    }

    /** Adaptive verification's target error rate; null: the server's default. */
    public Builder verifyError(Double verifyError) {
      this.verifyError = verifyError;
      return this;
    }

    /**
     * {@code bytes}, {@code numeric:REL} or {@code kernel:SHA256} (an uploaded validator); null:
     * the server's default.
     */
    public Builder compare(String compare) {
      this.compare = compare;
      return this;
    }

    public JobSpec build() {
      return new JobSpec(
          name,
          kernel,
          tasks,
          input,
          args,
          env,
          merge,
          priority,
          deadline,
          slurmJobId,
          taskTimeout,
          verify,
          verifyError,
          compare);
    }
  }
}
