package surge.slurmcommon.command;

import java.util.List;
import java.util.Optional;

/**
 * Runs one Slurm client command. {@link SlurmCommands} runs processes; unit tests of a class that
 * reads Slurm give a fake that answers captured outputs.
 */
@FunctionalInterface
public interface CommandRunner {
  /**
   * Runs {@code command} with {@code stdin} (or none) and answers how it ended, failed or not.
   *
   * @throws SlurmException ({@link SlurmAnswer#UNREACHABLE}) when it could not be started or did
   *     not end in time
   */
  Output run(List<String> command, Optional<String> stdin);

  default Output run(List<String> command) {
    return run(command, Optional.empty());
  }

  /** Runs {@code command}; its stdout when {@link Output#ok()}, else a {@link SlurmException}. */
  default String check(List<String> command) {
    Output out = run(command);
    if (!out.ok()) {
      throw SlurmException.of(out);
    }
    return out.stdout();
  }
}
