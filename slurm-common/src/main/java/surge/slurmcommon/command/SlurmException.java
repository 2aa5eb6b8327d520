package surge.slurmcommon.command;

/**
 * A Slurm command failed, timed out or could not be started. The message names the command and
 * gives Slurm's words; {@link #answer()} is the one reading of them.
 */
public class SlurmException extends RuntimeException {
  private final SlurmAnswer answer;

  public SlurmException(SlurmAnswer answer, String message) {
    super(message);
    this.answer = answer;
  }

  /** A refused command: {@code scontrol update ... failed (exit 1): Slurm's words}. */
  public static SlurmException of(Output out) {
    return new SlurmException(
        SlurmAnswer.of(out),
        out.commandLine() + " failed (exit " + out.exitCode() + "): " + out.message());
  }

  public SlurmAnswer answer() {
    return answer;
  }
}
