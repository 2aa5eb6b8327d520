package surge.dispatch;

import java.time.Duration;

/**
 * What the dispatcher allows one volunteer, whatever it claims (protocol/PROTOCOL.md, "Limits").
 *
 * @param newVolunteerTasks tasks a volunteer may hold when it connects, before it has returned any
 *     result ({@code SURGE_NEW_VOLUNTEER_TASKS})
 * @param maxVolunteerTasks tasks any one volunteer may hold at most ({@code
 *     SURGE_MAX_VOLUNTEER_TASKS})
 * @param taskTimeout a task's wall-time limit when its job sets none ({@code SURGE_TASK_TIMEOUT})
 * @param maxTaskTimeout the longest limit a job may set ({@code SURGE_MAX_TASK_TIMEOUT})
 * @param maxOutputBytes the largest stdout one task may return ({@code SURGE_MAX_OUTPUT_BYTES})
 * @param maxFailures distinct volunteers that must fail a task before its job fails ({@code
 *     SURGE_MAX_FAILURES})
 */
public record DispatchLimits(
    int newVolunteerTasks,
    int maxVolunteerTasks,
    Duration taskTimeout,
    Duration maxTaskTimeout,
    int maxOutputBytes,
    int maxFailures) {

  public DispatchLimits {
    if (newVolunteerTasks < 1 || maxVolunteerTasks < newVolunteerTasks) {
      throw new IllegalArgumentException(
          "need 1 <= new volunteer tasks ("
              + newVolunteerTasks
              + ") <= max volunteer tasks ("
              + maxVolunteerTasks
              + ")");
    }
    if (taskTimeout.isNegative()
        || taskTimeout.isZero()
        || taskTimeout.compareTo(maxTaskTimeout) > 0) {
      throw new IllegalArgumentException(
          "the task timeout " + taskTimeout + " must be positive and at most " + maxTaskTimeout);
    }
    if (maxOutputBytes < 0 || maxFailures < 1) {
      throw new IllegalArgumentException("max output bytes and max failures must be positive");
    }
  }

  /** The defaults of the README's configuration table. */
  public static DispatchLimits defaults() {
    return new DispatchLimits(8, 512, Duration.ofMinutes(10), Duration.ofHours(6), 16 << 20, 3);
  }
}
