package surge.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import surge.client.SurgeApiException;
import surge.client.SurgeClient;
import surge.options.FileChecks;

/** {@code surge result JOB}: the merged result of a succeeded job, byte for byte. */
@Command(
    name = "result",
    description = "Writes a succeeded job's merged result to stdout or --output FILE.")
final class ResultCommand implements Callable<Integer> {
  private static final int CONFLICT = 409;

  @ParentCommand private Surge surge;
  @Spec private CommandSpec spec;
  @Mixin private ServerOption server;
  @Mixin private HelpOption help;

  @Parameters(paramLabel = "JOB", description = "The job id, e.g. j-000042.")
  private String jobId;

  @Option(names = "--output", paramLabel = "FILE", description = "Write the result to FILE.")
  private Path output;

  @Override
  public Integer call() throws Exception {
    Shell shell = surge.shell();
    if (output != null) {
      FileChecks.requireWritableDirectory(spec.commandLine(), "--output", output);
    }
    SurgeClient client = server.client(shell);
    try {
      ResultWriter.write(client, jobId, Optional.ofNullable(output), shell.out());
    } catch (SurgeApiException e) {
      if (e.status() != CONFLICT) {
        throw e;
      }
      // 409: the job has no result; its status says why, with the same words as submit --wait.
      Outcome.requireSucceeded(client.status(jobId));
      // It succeeded between the two calls.
      ResultWriter.write(client, jobId, Optional.ofNullable(output), shell.out());
    }
    return ExitCodes.OK;
  }
}
