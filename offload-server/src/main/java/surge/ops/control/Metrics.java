package surge.ops.control;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import surge.dispatch.DispatchStats;

/** The server's Prometheus metrics. Counts are read from the dispatcher when scraped. */
public final class Metrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram dispatchLatency;
  private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);

  public Metrics(Supplier<DispatchStats> stats, Supplier<Integer> journalPending) {
    dispatchLatency =
        Histogram.builder()
            .name("surge_dispatch_latency_seconds")
            .help("Time a task waited in the queue before it was sent to a volunteer")
            .classicUpperBounds(
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
                60)
            .register(registry);
    GaugeWithCallback.builder()
        .name("surge_tasks")
        .help("Tasks of active jobs by state")
        .labelNames("state")
        .callback(
            cb -> {
              var s = stats.get();
              cb.call(s.queued(), "queued");
              cb.call(s.leased(), "leased");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_tasks_done")
        .help("Tasks completed since the server started")
        .callback(cb -> cb.call(stats.get().completedTotal()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_tasks_failed")
        .help(
            "Task failures on a volunteer (exit, trap, time limit, output too large) since the"
                + " server started; a job fails only when SURGE_MAX_FAILURES volunteers agree")
        .callback(cb -> cb.call(stats.get().failedTotal()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_tasks_requeued")
        .help("Leases lost (disconnect, expiry, release) and queued again")
        .callback(cb -> cb.call(stats.get().requeuedTotal()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_results_ignored")
        .help("Late or duplicate results ignored")
        .callback(cb -> cb.call(stats.get().ignoredResultsTotal()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("surge_volunteers_connected")
        .help("Volunteers connected now")
        .callback(cb -> cb.call(stats.get().volunteers()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("surge_jobs_active")
        .help("Jobs queued, running or merging")
        .callback(cb -> cb.call(stats.get().activeJobs()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("surge_journal_pending")
        .help("Accepted results not yet written to the database")
        .callback(cb -> cb.call(journalPending.get()))
        .register(registry);
  }

  /** Adds the rescuer's counts: jobs moved, refused (opted in but not moved), handed back. */
  public void countRescues(LongSupplier moved, LongSupplier refused, LongSupplier handedBack) {
    CounterWithCallback.builder()
        .name("surge_rescue_moved")
        .help("Pending jobs the rescuer moved to the volunteer partition")
        .callback(cb -> cb.call(moved.getAsLong()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_rescue_refused")
        .help("Opted-in jobs the rescuer left where they were (policy, unreadable options, Slurm)")
        .callback(cb -> cb.call(refused.getAsLong()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_rescue_handed_back")
        .help("Rescued jobs handed back to their partition after missing their deadline")
        .callback(cb -> cb.call(handedBack.getAsLong()))
        .register(registry);
  }

  public void dispatched(long waitedNanos) {
    dispatchLatency.observe(waitedNanos / 1e9);
  }

  public String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  public byte[] scrape() {
    var out = new ByteArrayOutputStream();
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
