package surge.rescue.control;

/** A Slurm command failed or printed what the rescuer cannot read; the message says which. */
public class SlurmException extends RuntimeException {
  public SlurmException(String message) {
    super(message);
  }
}
