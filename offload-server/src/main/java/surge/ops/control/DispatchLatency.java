package surge.ops.control;

import io.prometheus.metrics.core.metrics.Histogram;

/**
 * How long tasks waited in the queue before they were sent to a volunteer. Made before the
 * dispatcher, which records into it, and before the {@link Metrics} that show it, which read the
 * dispatcher: so neither needs the other first.
 */
public final class DispatchLatency {
  final Histogram histogram =
      Histogram.builder()
          .name("surge_dispatch_latency_seconds")
          .help("Time a task waited in the queue before it was sent to a volunteer")
          .classicUpperBounds(
              0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
              60)
          .build();

  /** A task was sent after waiting {@code waitedNanos}. */
  public void dispatched(long waitedNanos) {
    histogram.observe(waitedNanos / 1e9);
  }
}
