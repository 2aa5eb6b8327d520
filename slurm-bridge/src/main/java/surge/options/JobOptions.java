package surge.options;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import picocli.CommandLine.Option;
import surge.client.ControlCharacters;
import surge.client.JobSpec.Split;
import surge.slurmcommon.script.Durations;

/**
 * The options that describe a job, shared by {@code surge submit} (as a mixin) and the {@code
 * #OFFLOAD} lines of a Slurm job script, so the two cannot drift apart.
 */
public final class JobOptions {
  /** The server sets these for every task; a job cannot override them. */
  private static final Set<String> RESERVED_ENV = Set.of("SURGE_TASK_INDEX", "SURGE_TASK_COUNT");

  @Option(
      names = "--kernel",
      required = true,
      paramLabel = "FILE",
      description = "The kernel: a WASI .wasm module exporting _start and memory.")
  private Path kernel;

  @Option(
      names = "--tasks",
      required = true,
      paramLabel = "N",
      description = "How many tasks to run (each gets SURGE_TASK_INDEX 0..N-1).")
  private int tasks;

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "A file split into N chunks; chunk i is task i's stdin.")
  private Path input;

  @Option(
      names = "--split",
      paramLabel = "lines|bytes",
      description = "How --input is split: whole lines or bytes (default: lines).")
  private Split split;

  @Option(
      names = "--arg",
      paramLabel = "A",
      description = "An argument for every task, repeatable; {index} and {count} are replaced.")
  private List<String> args = new ArrayList<>();

  @Option(
      names = "--env",
      paramLabel = "K=V",
      description = "An environment variable for every task, repeatable.")
  private Map<String, String> env = new LinkedHashMap<>();

  @Option(
      names = "--merge",
      paramLabel = "concat|sum|reduce:FILE",
      converter = MergeOption.Converter.class,
      description =
          "How task outputs become the result: concat (default: in task order), sum"
              + " (element-wise sum of numbers) or reduce:FILE (a reducer kernel that reads all"
              + " outputs on stdin).")
  private MergeOption merge;

  @Option(
      names = "--verify",
      paramLabel = "adaptive|replicate=N|none",
      converter = VerifyOption.Converter.class,
      description =
          "How volunteers' results are checked: adaptive (by their credibility, replicating and"
              + " spot-checking as needed), replicate=N (N agreeing results from N distinct"
              + " volunteers, 1..16) or none (trusted volunteers only). Default: the server's,"
              + " SURGE_VERIFY (adaptive).")
  private VerifyOption verify;

  @Option(
      names = "--verify-error",
      paramLabel = "E",
      converter = VerifyErrorOption.Converter.class,
      description =
          "With adaptive verification: the error rate a task's accepted result stays below,"
              + " 1e-12..0.5 (default: the server's, SURGE_VERIFY_ERROR, 1e-4).")
  private Double verifyError;

  @Option(
      names = "--compare",
      paramLabel = "bytes|numeric:REL|kernel:FILE",
      converter = CompareOption.Converter.class,
      description =
          "When two results of a task agree: bytes (default: byte for byte), numeric:REL (numbers"
              + " within a relative tolerance REL, 0..1, other words exactly) or kernel:FILE (a"
              + " validator kernel decides).")
  private CompareOption compare;

  @Option(names = "--priority", paramLabel = "P", description = "Higher runs first (default 0).")
  private Integer priority;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION|INSTANT",
      description = "Fail the job if not finished by then: 30m, 2h, 1h30m or 2026-11-23T18:00:00Z.")
  private String deadline;

  @Option(
      names = "--task-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Each task's wall-time limit on a volunteer: 90s, 10m, 1h (default: the server's,"
              + " SURGE_TASK_TIMEOUT). A task past it is stopped and retried on another volunteer.")
  private Duration taskTimeout;

  @Option(names = "--name", paramLabel = "NAME", description = "A label shown in status and logs.")
  private String name;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "Write the result to FILE instead of stdout (surge submit: with --wait).")
  private Path output;

  /** Set by {@link #check}: the deadline as an instant. */
  private Instant deadlineAt;

  /**
   * Makes the relative paths (kernel, input, reducer, validator, output) relative to {@code dir}
   * instead of the current directory.
   */
  public void resolveAgainst(Path dir) {
    kernel = kernel == null ? null : dir.resolve(kernel);
    input = input == null ? null : dir.resolve(input);
    output = output == null ? null : dir.resolve(output);
    if (merge != null && merge.reducer().isPresent()) {
      merge = new MergeOption(merge.kind(), Optional.of(dir.resolve(merge.reducer().get())));
    }
    compare = compare == null ? null : compare.resolveAgainst(dir);
  }

  /**
   * Labels the job with {@code fallback} unless {@code --name} did; control characters in it (a
   * Slurm job name may hold them) are escaped, since the server refuses them in names.
   */
  public void nameIfAbsent(String fallback) {
    if (name == null || name.isBlank()) {
      name = ControlCharacters.escape(fallback);
    }
  }

  /**
   * Everything checkable without the server, so a mistake costs no upload; a duration deadline
   * counts from {@code clock}'s now.
   */
  public void check(Clock clock) throws InvalidJobOption {
    if (tasks < 1) {
      throw new InvalidJobOption("--tasks", "--tasks must be at least 1, got " + tasks);
    }
    if (name != null) {
      OptionalInt bad = ControlCharacters.firstUnsafe(name);
      if (bad.isPresent()) {
        throw new InvalidJobOption(
            "--name",
            String.format(
                "--name: a job name may not hold control or bidirectional-override characters,"
                    + " found U+%04X at character %d: '%s'",
                name.codePointAt(bad.getAsInt()),
                bad.getAsInt() + 1,
                ControlCharacters.escape(name)));
      }
    }
    if (split != null && input == null) {
      throw new InvalidJobOption("--split", "--split needs --input: there is nothing to split");
    }
    requireReadable("--kernel", "kernel file", kernel);
    if (input != null) {
      requireReadable("--input", "input file", input);
    }
    if (merge != null && merge.reducer().isPresent()) {
      requireReadable("--merge", "reducer kernel file", merge.reducer().get());
    }
    if (verifyError != null && verify != null && verify.mode() != VerifyOption.Mode.ADAPTIVE) {
      throw new InvalidJobOption(
          "--verify-error",
          "--verify-error: only with --verify=adaptive (it is adaptive verification's target"
              + " error rate), not with --verify="
              + verify.wire());
    }
    if (compare != null && compare.validator().isPresent()) {
      requireReadable("--compare", "validator kernel file", compare.validator().get());
    }
    if (output != null) {
      Optional<String> problem = FileChecks.unwritable(output);
      if (problem.isPresent()) {
        throw new InvalidJobOption("--output", "--output: " + problem.get());
      }
    }
    for (String key : env.keySet()) {
      if (key.isBlank()) {
        throw new InvalidJobOption(
            "--env",
            "=" + env.get(key),
            "--env: expected K=V with a name K, got '=" + env.get(key) + "'");
      }
      if (RESERVED_ENV.contains(key)) {
        throw new InvalidJobOption(
            "--env", key + "=", "--env: " + key + " is set by Surge for every task");
      }
    }
    if (deadline != null) {
      try {
        deadlineAt = Durations.deadline(deadline, clock);
      } catch (IllegalArgumentException e) {
        throw new InvalidJobOption("--deadline", "--deadline: " + e.getMessage());
      }
    }
  }

  private static void requireReadable(String option, String what, Path file)
      throws InvalidJobOption {
    Optional<String> problem = FileChecks.unreadable(what, file);
    if (problem.isPresent()) {
      throw new InvalidJobOption(option, option + ": " + problem.get());
    }
  }

  public Path kernel() {
    return kernel;
  }

  public int tasks() {
    return tasks;
  }

  public Optional<Path> input() {
    return Optional.ofNullable(input);
  }

  public Split split() {
    return split == null ? Split.LINES : split;
  }

  public List<String> args() {
    return List.copyOf(args);
  }

  public Map<String, String> env() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(env));
  }

  public Optional<MergeOption> merge() {
    return Optional.ofNullable(merge);
  }

  /** How results are verified; empty: the server's default. */
  public Optional<VerifyOption> verify() {
    return Optional.ofNullable(verify);
  }

  /** Adaptive verification's target error rate; empty: the server's default. */
  public Optional<Double> verifyError() {
    return Optional.ofNullable(verifyError);
  }

  /** How two results of a task are compared; empty: the server's default (bytes). */
  public Optional<CompareOption> compare() {
    return Optional.ofNullable(compare);
  }

  public Optional<Integer> priority() {
    return Optional.ofNullable(priority);
  }

  /** The deadline {@link #check} computed; empty without {@code --deadline}. */
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadlineAt);
  }

  /** Each task's wall-time limit; empty: the server's default. */
  public Optional<Duration> taskTimeout() {
    return Optional.ofNullable(taskTimeout);
  }

  public Optional<String> name() {
    return Optional.ofNullable(name).filter(n -> !n.isBlank());
  }

  public Optional<Path> output() {
    return Optional.ofNullable(output);
  }
}
