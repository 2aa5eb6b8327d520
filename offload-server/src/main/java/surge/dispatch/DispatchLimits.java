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
 * @param checkpointMillis how often kernels save a checkpoint ({@code SURGE_CHECKPOINT_INTERVAL})
 * @param maxCheckpointBytes the largest checkpoint kept ({@code SURGE_CHECKPOINT_MAX_BYTES})
 * @param checkpointMemory bytes of checkpoints kept at most; 0: none ({@code
 *     SURGE_CHECKPOINT_MEMORY})
 */
public record DispatchLimits(
    int newVolunteerTasks,
    int maxVolunteerTasks,
    Duration taskTimeout,
    Duration maxTaskTimeout,
    int maxOutputBytes,
    int maxFailures,
    long checkpointMillis,
    int maxCheckpointBytes,
    long checkpointMemory) {

  /** Without checkpoints. */
  public DispatchLimits(
      int newVolunteerTasks,
      int maxVolunteerTasks,
      Duration taskTimeout,
      Duration maxTaskTimeout,
      int maxOutputBytes,
      int maxFailures) {
    this(
        newVolunteerTasks,
        maxVolunteerTasks,
        taskTimeout,
        maxTaskTimeout,
        maxOutputBytes,
        maxFailures,
        0,
        0,
        0);
  }

  /** These limits with checkpoints as given. */
  public DispatchLimits withCheckpoints(long millis, int maxBytes, long memory) {
    return new DispatchLimits(
        newVolunteerTasks,
        maxVolunteerTasks,
        taskTimeout,
        maxTaskTimeout,
        maxOutputBytes,
        maxFailures,
        millis,
        maxBytes,
        memory);
  }

  /** Whether the server takes checkpoints at all. */
  public boolean checkpoints() {
    return checkpointMillis > 0 && checkpointMemory > 0 && maxCheckpointBytes > 0;
  }

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
    if (checkpointMillis < 0 || maxCheckpointBytes < 0 || checkpointMemory < 0) {
      throw new IllegalArgumentException("checkpoint limits must not be negative");
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
