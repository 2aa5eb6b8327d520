package surge.cli;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import surge.client.JobStatus;
import surge.options.InvalidJobOption;
import surge.options.JobOptions;

/** {@code surge submit}: upload the kernel and input, submit the job, optionally wait for it. */
@Command(
    name = "submit",
    description = {
      "Uploads a WASI kernel (and an input to split), submits a job of N tasks and prints its id.",
      "With --wait, shows progress on stderr and writes the merged result to stdout."
    })
final class SubmitCommand implements Callable<Integer> {
  /** Ctrl-C should not keep a person waiting long for the cancel. */
  private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(5);

  @ParentCommand private Surge surge;
  @Spec private CommandSpec spec;
  @Mixin private ServerOption server;
  @Mixin private HelpOption help;
  @Mixin private JobOptions job;

  @Option(
      names = "--wait",
      description =
          "Wait for the job, show progress, write the result; exit code says how it ended.")
  private boolean wait;

  @Override
  public Integer call() throws Exception {
    Shell shell = surge.shell();
    if (job.output().isPresent() && !wait) {
      throw new ParameterException(
          spec.commandLine(), "--output needs --wait: only a waiting submit has a result");
    }
    try {
      job.check(shell.clock());
    } catch (InvalidJobOption e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Submission submission = new Submission(server.client(shell), Retry.never(), shell);
    if (!wait) {
      JobStatus submitted = submission.submit(job, Optional.empty());
      shell.out().println(submitted.id());
      shell.out().flush();
      return ExitCodes.OK;
    }
    ProgressBar progress = new ProgressBar(shell.err(), shell.terminal());
    submission.run(job, Optional.empty(), progress, shell.polling(), CANCEL_TIMEOUT);
    return ExitCodes.OK;
  }
}
