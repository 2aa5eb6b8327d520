package surge.ops.control;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
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
  private final DispatchLatency latency;
  private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);

  public Metrics(Supplier<DispatchStats> stats, Supplier<Integer> journalPending) {
    this(stats, journalPending, new DispatchLatency());
  }

  /**
   * @param latency what the dispatcher records the queue's waits into (made before it)
   */
  public Metrics(
      Supplier<DispatchStats> stats, Supplier<Integer> journalPending, DispatchLatency latency) {
    this.latency = latency;
    registry.register(latency.histogram);
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

  /**
   * Adds the dwell fits of dwell-aware dispatch (docs/dispatch.md), per session kind: the Weibull
   * shape, scale in seconds and how many departures it learnt from. Nothing for other policies.
   */
  public void gaugeDwellFit(surge.policies.DispatchPolicy policy) {
    if (!(policy instanceof surge.policies.DwellAwareDispatch dwell)) return;
    GaugeWithCallback.builder()
        .name("surge_dispatch_dwell_fit")
        .help(
            "Dwell-aware dispatch's Weibull fit of session dwell by kind (browser: consent"
                + " sessions, machine: keyed): shape, scale_seconds, samples (departures seen)")
        .labelNames("kind", "param")
        .callback(
            cb -> {
              for (var kind :
                  new surge.policies.SessionView.Kind[] {
                    surge.policies.SessionView.Kind.BROWSER, surge.policies.SessionView.Kind.KEYED
                  }) {
                var fit = dwell.dwell(kind);
                String k = kind.machine() ? "machine" : "browser";
                cb.call(fit.shape(), k, "shape");
                cb.call(fit.scaleMillis() / 1000.0, k, "scale_seconds");
                cb.call(fit.samples(), k, "samples");
              }
            })
        .register(registry);
  }

  /** Adds the tail copies of dwell-aware dispatch (docs/dispatch.md). */
  public void countTailCopies(Supplier<surge.dispatch.TailStats> tail) {
    CounterWithCallback.builder()
        .name("surge_dispatch_tail_duplicates")
        .help(
            "Tasks of a job's tail copied onto a second volunteer while the first still held them")
        .callback(cb -> cb.call(tail.get().made()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_dispatch_tail_duplicate_wins")
        .help("Tail copies whose answer settled the task while the original lease was still out")
        .callback(cb -> cb.call(tail.get().won()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_dispatch_tail_cancelled")
        .help("Leases cancelled because another lease of the same task settled it")
        .callback(cb -> cb.call(tail.get().cancelled()))
        .register(registry);
  }

  /** Adds the checkpoint counts (docs/checkpoints.md). */
  public void countCheckpoints(Supplier<surge.dispatch.CheckpointStats> stats) {
    CounterWithCallback.builder()
        .name("surge_checkpoints_received")
        .help("Checkpoints of running tasks kept as their task's latest")
        .callback(cb -> cb.call(stats.get().received()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_checkpoints_resumed")
        .help("Tasks handed out with a checkpoint to resume from")
        .callback(cb -> cb.call(stats.get().resumed()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_checkpoints_dropped")
        .help(
            "Checkpoints refused (not the lease holder's, spot check, too large, too frequent) or"
                + " evicted by SURGE_CHECKPOINT_MEMORY")
        .callback(cb -> cb.call(stats.get().dropped()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("surge_checkpoints_held_bytes")
        .help("Bytes of checkpoints the server holds now")
        .callback(cb -> cb.call(stats.get().bytes()))
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

  /**
   * Adds the verification counts (docs/verification.md) and the credibility of the volunteers
   * connected now, by band.
   */
  public void countVerification(
      Supplier<surge.dispatch.VerificationReport> totals, Supplier<double[]> credibilities) {
    CounterWithCallback.builder()
        .name("surge_verification_results")
        .help(
            "Volunteer results received under verification (first answers, replicas, spot checks)")
        .callback(cb -> cb.call(totals.get().results()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_verification_server_runs")
        .help("Tasks the server computed itself as known answers")
        .callback(cb -> cb.call(totals.get().serverRuns()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_verification_spot_checks")
        .help("Volunteer results compared with a known answer")
        .callback(cb -> cb.call(totals.get().spotChecks()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_verification_disagreements")
        .help("Volunteer results that lost to an accepted, different answer")
        .callback(cb -> cb.call(totals.get().disagreements()))
        .register(registry);
    CounterWithCallback.builder()
        .name("surge_verification_recomputed")
        .help("Accepted results thrown away because their volunteer was caught cheating")
        .callback(cb -> cb.call(totals.get().recomputed()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("surge_volunteers_blacklisted")
        .help("Volunteer identities caught with a wrong answer since the server started")
        .callback(cb -> cb.call(totals.get().blacklisted()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("surge_volunteer_credibility")
        .help(
            "Connected volunteer identities by credibility: the probability the policy gives"
                + " their results of being right (band: at least this)")
        .labelNames("band")
        .callback(
            cb -> {
              double[] c = credibilities.get();
              String[] bands = {"0", "0.9", "0.99", "0.999", "0.9999", "1"};
              double[] floors = {0, 0.9, 0.99, 0.999, 0.9999, 1};
              long[] count = new long[bands.length];
              for (double x : c) {
                int b = 0;
                while (b + 1 < floors.length && x >= floors[b + 1]) {
                  b++;
                }
                count[b]++;
              }
              for (int b = 0; b < bands.length; b++) {
                cb.call(count[b], bands[b]);
              }
            })
        .register(registry);
  }

  public void dispatched(long waitedNanos) {
    latency.dispatched(waitedNanos);
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
