package surge.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import surge.client.JobSpec;
import surge.client.JobSpec.Merge;
import surge.client.JobSpec.Split;
import surge.client.JobStatus;
import surge.client.SurgeApiException;
import surge.client.SurgeClient;
import surge.client.SurgeUnreachableException;

/** {@code surge submit}: upload the kernel and input, submit the job, optionally wait for it. */
@Command(
    name = "submit",
    description = {
      "Uploads a WASI kernel (and an input to split), submits a job of N tasks and prints its id.",
      "With --wait, shows progress on stderr and writes the merged result to stdout."
    })
final class SubmitCommand implements Callable<Integer> {
  /** The server sets these for every task; a job cannot override them. */
  private static final Set<String> RESERVED_ENV = Set.of("SURGE_TASK_INDEX", "SURGE_TASK_COUNT");

  @ParentCommand private Surge surge;
  @Spec private CommandSpec spec;
  @Mixin private ServerOption server;
  @Mixin private HelpOption help;

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

  @Option(names = "--priority", paramLabel = "P", description = "Higher runs first (default 0).")
  private Integer priority;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION|INSTANT",
      description = "Fail the job if not finished by then: 30m, 2h, 1h30m or 2026-11-23T18:00:00Z.")
  private String deadline;

  @Option(names = "--name", paramLabel = "NAME", description = "A label shown in status and logs.")
  private String name;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "With --wait: write the result to FILE instead of stdout.")
  private Path output;

  @Option(
      names = "--wait",
      description =
          "Wait for the job, show progress, write the result; exit code says how it ended.")
  private boolean wait;

  @Override
  public Integer call() throws Exception {
    Shell shell = surge.shell();
    Instant deadlineInstant = validate(shell);
    SurgeClient client = server.client(shell);

    String kernelSha = uploadKernel(client, kernel);
    JobSpec.Builder job = JobSpec.builder(kernelSha, tasks).name(name).args(args).env(env);
    if (merge != null) {
      Optional<Path> reducer = merge.reducer();
      job.merge(
          reducer.isPresent()
              ? Merge.reduce(uploadKernel(client, reducer.get()))
              : Merge.of(merge.kind()));
    }
    if (input != null) {
      job.input(uploadInput(client, input), split == null ? Split.LINES : split);
    }
    job.priority(priority).deadline(deadlineInstant);

    JobStatus submitted;
    try {
      submitted = client.submit(job.build());
    } catch (SurgeApiException e) {
      throw refusedOrFailed(e, "the job", e.describe());
    }
    if (!wait) {
      shell.out().println(submitted.id());
      shell.out().flush();
      return ExitCodes.OK;
    }
    JobStatus ended;
    try (CancelOnInterrupt guard = CancelOnInterrupt.install(client, submitted.id(), shell.err())) {
      ProgressBar progress = new ProgressBar(shell.err(), shell.terminal());
      ended = new JobWaiter(client, progress, shell.polling()).await(submitted.id());
    }
    Outcome.requireSucceeded(ended);
    ResultWriter.write(client, ended.id(), Optional.ofNullable(output), shell.out());
    return ExitCodes.OK;
  }

  /** Everything checkable without the server, so a mistake costs no upload. */
  private Instant validate(Shell shell) {
    CommandLine cmd = spec.commandLine();
    if (tasks < 1) {
      throw new ParameterException(cmd, "--tasks must be at least 1, got " + tasks);
    }
    if (split != null && input == null) {
      throw new ParameterException(cmd, "--split needs --input: there is nothing to split");
    }
    if (output != null && !wait) {
      throw new ParameterException(
          cmd, "--output needs --wait: only a waiting submit has a result");
    }
    FileChecks.requireReadable(cmd, "--kernel", "kernel file", kernel);
    if (input != null) {
      FileChecks.requireReadable(cmd, "--input", "input file", input);
    }
    if (merge != null && merge.reducer().isPresent()) {
      FileChecks.requireReadable(cmd, "--merge", "reducer kernel file", merge.reducer().get());
    }
    if (output != null) {
      FileChecks.requireWritableDirectory(cmd, "--output", output);
    }
    for (String key : env.keySet()) {
      if (key.isBlank()) {
        throw new ParameterException(
            cmd, "--env: expected K=V with a name K, got '=" + env.get(key) + "'");
      }
      if (RESERVED_ENV.contains(key)) {
        throw new ParameterException(cmd, "--env: " + key + " is set by Surge for every task");
      }
    }
    if (deadline == null) {
      return null;
    }
    try {
      return Durations.deadline(deadline, shell.clock());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cmd, "--deadline: " + e.getMessage());
    }
  }

  private static String uploadKernel(SurgeClient client, Path file)
      throws IOException, CommandFailure, SurgeUnreachableException, InterruptedException {
    try {
      return client.uploadKernel(file).sha256();
    } catch (SurgeApiException e) {
      throw refusedOrFailed(e, "kernel " + file, e.getMessage());
    }
  }

  private static String uploadInput(SurgeClient client, Path file)
      throws IOException, CommandFailure, SurgeUnreachableException, InterruptedException {
    try {
      return client.uploadInput(file).sha256();
    } catch (SurgeApiException e) {
      throw refusedOrFailed(e, "input " + file, e.getMessage());
    }
  }

  private static CommandFailure refusedOrFailed(SurgeApiException e, String what, String reason) {
    return e.isRefusal()
        ? new CommandFailure(ExitCodes.USAGE, "the server refused " + what + ": " + reason)
        : new CommandFailure(ExitCodes.ERROR, "the server failed on " + what + ": " + reason);
  }
}
