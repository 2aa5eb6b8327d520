package surge.policies;

import java.time.Duration;

/** The built-in dispatch policies' makers, registered for {@link java.util.ServiceLoader}. */
public final class BuiltInDispatch {
  private BuiltInDispatch() {}

  /** {@code async}: {@link AsyncPrefetchDispatch}, the default. */
  public static final class Async implements DispatchPolicyProvider {
    @Override
    public String name() {
      return "async";
    }

    @Override
    public DispatchPolicy create(int tasksPerWorker, Duration lease) {
      return new AsyncPrefetchDispatch(tasksPerWorker, lease);
    }
  }

  /** {@code batch}: {@link BatchDispatch}. */
  public static final class Batch implements DispatchPolicyProvider {
    @Override
    public String name() {
      return "batch";
    }

    @Override
    public DispatchPolicy create(int tasksPerWorker, Duration lease) {
      return new BatchDispatch(tasksPerWorker, lease);
    }
  }

  /** {@code speed}: {@link SpeedAwareDispatch}. */
  public static final class Speed implements DispatchPolicyProvider {
    @Override
    public String name() {
      return "speed";
    }

    @Override
    public DispatchPolicy create(int tasksPerWorker, Duration lease) {
      return new SpeedAwareDispatch(tasksPerWorker, lease);
    }
  }

  /** {@code dwell}: {@link DwellAwareDispatch}. */
  public static final class Dwell implements DispatchPolicyProvider {
    @Override
    public String name() {
      return "dwell";
    }

    @Override
    public DispatchPolicy create(int tasksPerWorker, Duration lease) {
      return new DwellAwareDispatch(tasksPerWorker, lease);
    }
  }
}
