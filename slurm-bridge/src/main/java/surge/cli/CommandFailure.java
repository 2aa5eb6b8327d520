package surge.cli;

/** An expected way for a command to end badly: a message for the user and the exit code. */
final class CommandFailure extends Exception {
  private final int exitCode;

  CommandFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
