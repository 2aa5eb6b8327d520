package surge.slurmcommon.command;

import java.util.ArrayList;
import java.util.List;

/**
 * What a Slurm command printed and how it ended.
 *
 * @param command the command as run (its first word the program's name, not its path)
 * @param truncated whether stdout or stderr was longer than the runner keeps
 */
public record Output(
    List<String> command, int exitCode, String stdout, String stderr, boolean truncated) {
  public Output {
    command = List.copyOf(command);
  }

  /** For fakes in unit tests: a command that printed {@code stdout} only. */
  public static Output of(List<String> command, int exitCode, String stdout) {
    return new Output(command, exitCode, stdout, "", false);
  }

  /** Ended with exit code 0 and no error message (some commands exit 0 after an error). */
  public boolean ok() {
    return SlurmAnswer.of(this) == SlurmAnswer.OK;
  }

  /**
   * Slurm's message: stderr (else stdout when the command failed), without help hints, on one line.
   */
  public String message() {
    String text = stderr.isBlank() && exitCode != 0 ? stdout : stderr;
    List<String> kept = new ArrayList<>();
    for (String line : text.strip().split("\n")) {
      if (!line.isBlank() && !line.startsWith("Try \"")) {
        kept.add(line.strip());
      }
    }
    return kept.isEmpty() ? "exit code " + exitCode : String.join("; ", kept);
  }

  public String commandLine() {
    return String.join(" ", command);
  }
}
