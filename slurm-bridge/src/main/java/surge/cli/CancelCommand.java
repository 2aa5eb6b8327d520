package surge.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import surge.client.JobStatus;

/** {@code surge cancel JOB}: cancels a job that has not ended. */
@Command(
    name = "cancel",
    description = {
      "Cancels a job that has not ended, including its tasks running on volunteers.",
      "Cancelling an ended job changes nothing. Prints the job's status afterwards."
    })
final class CancelCommand implements Callable<Integer> {
  @ParentCommand private Surge surge;
  @Mixin private ServerOption server;
  @Mixin private HelpOption help;

  @Parameters(paramLabel = "JOB", description = "The job id, e.g. j-000042.")
  private String jobId;

  @Override
  public Integer call() throws Exception {
    Shell shell = surge.shell();
    JobStatus status = server.client(shell).cancel(jobId);
    shell.out().println(JobLines.summary(status));
    shell.out().flush();
    return ExitCodes.OK;
  }
}
