package surge.cli;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import surge.client.JobState;
import surge.client.JobStatus;

/** {@code surge jobs}: recent jobs, newest first, one per line. */
@Command(name = "jobs", description = "Lists recent jobs, newest first.")
final class JobsCommand implements Callable<Integer> {
  private static final String ROW = "%-12s %-10s %13s  %s";

  @ParentCommand private Surge surge;
  @Spec private CommandSpec spec;
  @Mixin private ServerOption server;
  @Mixin private HelpOption help;

  @Option(
      names = "--state",
      paramLabel = "S",
      description = "Only jobs in this state: ${COMPLETION-CANDIDATES}.")
  private JobState state;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "At most N jobs (default: the server's limit).")
  private Integer limit;

  @Override
  public Integer call() throws Exception {
    if (limit != null && limit < 1) {
      throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
    }
    Shell shell = surge.shell();
    List<JobStatus> jobs =
        server
            .client(shell)
            .jobs(
                Optional.ofNullable(state),
                limit == null ? OptionalInt.empty() : OptionalInt.of(limit));
    if (jobs.isEmpty()) {
      shell.err().println("surge: no jobs" + (state == null ? "" : " in state " + state));
      return ExitCodes.OK;
    }
    shell.out().println(String.format(Locale.ROOT, ROW, "ID", "STATE", "DONE/TOTAL", "NAME"));
    for (JobStatus job : jobs) {
      String progress = job.tasks().done() + "/" + job.tasks().total();
      shell
          .out()
          .println(
              String.format(
                  Locale.ROOT,
                  ROW,
                  JobLines.safe(job.id()),
                  job.state(),
                  progress,
                  JobLines.safe(job.label().orElse(""))));
    }
    shell.out().flush();
    return ExitCodes.OK;
  }
}
