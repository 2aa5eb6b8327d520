package surge.policies;

import java.time.Duration;
import java.util.List;

/** The built-in dispatch policies by the names SURGE_DISPATCH_MODE gives them. */
public final class DispatchPolicies {
  private DispatchPolicies() {}

  /** Every built-in's name, the default first. */
  public static final List<String> NAMES = List.of("async", "batch", "speed", "dwell");

  /**
   * A new instance of the built-in named {@code name} (stateful ones learn per instance).
   *
   * @throws IllegalArgumentException naming the policies there are
   */
  public static DispatchPolicy named(String name, int tasksPerWorker, Duration lease) {
    return switch (name) {
      case "async" -> new AsyncPrefetchDispatch(tasksPerWorker, lease);
      case "batch" -> new BatchDispatch(tasksPerWorker, lease);
      case "speed" -> new SpeedAwareDispatch(tasksPerWorker, lease);
      case "dwell" -> new DwellAwareDispatch(tasksPerWorker, lease);
      default ->
          throw new IllegalArgumentException(
              "SURGE_DISPATCH_MODE names no dispatch policy '" + name + "'; there are " + NAMES);
    };
  }
}
