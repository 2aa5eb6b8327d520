package surge.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import surge.client.ControlCharacters;
import surge.client.JobStatus;
import surge.client.SurgeClient;

/** {@code surge status JOB}: one line about the job, or the server's JSON with --json. */
@Command(
    name = "status",
    description =
        "Shows a job's state and task counts, how its results were verified, and a failed job's"
            + " reason and stderr tail.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand private Surge surge;
  @Mixin private ServerOption server;
  @Mixin private HelpOption help;

  @Parameters(paramLabel = "JOB", description = "The job id, e.g. j-000042.")
  private String jobId;

  @Option(names = "--json", description = "Print the status JSON exactly as the server sent it.")
  private boolean json;

  @Override
  public Integer call() throws Exception {
    Shell shell = surge.shell();
    SurgeClient client = server.client(shell);
    if (json) {
      // Escapes are JSON's own backslash-u escapes: the same JSON, and a terminal stays safe.
      shell.out().println(ControlCharacters.escapeKeepingLines(client.statusJson(jobId).strip()));
    } else {
      JobStatus status = client.status(jobId);
      shell.out().println(JobLines.summary(status));
      status
          .failure()
          .flatMap(JobStatus.Failure::stderr)
          .ifPresent(tail -> shell.out().println(JobLines.indent(tail)));
      JobLines.verification(status).ifPresent(shell.out()::println);
    }
    shell.out().flush();
    return ExitCodes.OK;
  }
}
