package surge.slurm;

/** A Slurm command failed, timed out or could not be started; the message says which and why. */
public final class SlurmException extends Exception {
  SlurmException(String message) {
    super(message);
  }
}
