package surge.ops.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import surge.dispatch.DispatchStats;

class HealthTest {
  static DispatchStats tickedAt(long millis) {
    return new DispatchStats(3, 0, 0, 0, 0, 0, 0, 0, millis);
  }

  @Test
  void upWhileEachPartWorksAndTheDispatcherTicked() {
    var now = new AtomicLong(10_000);
    var health = new Health(() -> true, () -> true, () -> tickedAt(6_000), now::get);
    var report = health.check();
    assertThat(report.up()).isTrue();
    assertThat(report.volunteers()).isEqualTo(3);

    now.set(11_000); // 5 s without a tick: stuck
    assertThat(health.check().dispatcher()).isFalse();
    assertThat(health.check().up()).isFalse();
  }

  @Test
  void downWhenTheDatabaseOrTheJournalFails() {
    assertThat(new Health(() -> false, () -> true, () -> tickedAt(0), () -> 0).check())
        .satisfies(r -> assertThat(r.database()).isFalse())
        .satisfies(r -> assertThat(r.up()).isFalse());
    assertThat(new Health(() -> true, () -> false, () -> tickedAt(0), () -> 0).check().up())
        .isFalse();
  }

  @Test
  void theDispatchLatencyMadeBeforeTheMetricsIsShownByThem() {
    var latency = new DispatchLatency();
    var metrics = new Metrics(() -> tickedAt(0), () -> 0, latency);
    latency.dispatched(2_000_000); // 2 ms
    metrics.dispatched(3_000_000);
    assertThat(new String(metrics.scrape(), StandardCharsets.UTF_8))
        .contains("surge_dispatch_latency_seconds_count 2");
  }
}
