package surge.dispatch;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Why a job failed: a task's own failure (exit code, trap) or a limit (deadline, attempts).
 *
 * @param stderrTail the last part of the failing task's stderr, if a task failed
 */
public record JobFailure(
    String message, OptionalInt task, OptionalInt exitCode, Optional<String> stderrTail) {

  public static JobFailure of(String message) {
    return new JobFailure(message, OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
  }
}
