package surge.slurm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import surge.slurmcommon.command.Output;
import surge.slurmcommon.command.SlurmCommands;
import surge.slurmcommon.command.SlurmException;

/**
 * Runs Slurm's {@code scontrol} for the launcher, through the one runner of {@code slurm-common}.
 * The command gets the caller's environment as it is ({@code SLURM_CONF} above all: without it
 * scontrol finds no configuration) and is found on that environment's {@code PATH}. Each run has a
 * time limit, so that a slow slurmctld cannot hold the job.
 */
public final class SlurmClient {
  private final SlurmCommands commands;

  public SlurmClient(Map<String, String> env, Duration timeout) {
    this.commands = SlurmCommands.withEnvironment(env, timeout);
  }

  /** {@code scontrol update JobId=ID Comment=TEXT}: what {@code squeue -o %k} shows. */
  public void updateComment(String jobId, String comment)
      throws SlurmException, InterruptedException {
    run(List.of("update", "JobId=" + jobId, "Comment=" + comment));
  }

  /** {@code scontrol write batch_script ID -}: the script the job runs, as slurmctld stored it. */
  public String batchScript(String jobId) throws SlurmException, InterruptedException {
    return run(List.of("write", "batch_script", jobId, "-"));
  }

  /** Runs scontrol with {@code args}; answers its stdout. */
  private String run(List<String> args) throws SlurmException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("scontrol");
    command.addAll(args);
    Output out;
    try {
      out = commands.run(command);
    } catch (SlurmException e) {
      if (Thread.interrupted()) {
        throw new InterruptedException(e.getMessage());
      }
      throw e;
    }
    if (!out.ok()) {
      throw new SlurmException(
          surge.slurmcommon.command.SlurmAnswer.of(out),
          out.commandLine() + ": exited with " + out.exitCode() + ": " + firstLine(out.message()));
    }
    return out.stdout();
  }

  private static String firstLine(String message) {
    int semicolon = message.indexOf("; ");
    return semicolon < 0 ? message : message.substring(0, semicolon);
  }
}
