package surge.ops.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThroughputTest {
  final AtomicLong done = new AtomicLong();
  final AtomicLong now = new AtomicLong(10_000);
  final Throughput throughput = new Throughput(done::get, now::get, 3);

  @Test
  void eachSampleIsTheRateSinceThePreviousAndOnlyTheLastFewAreKept() {
    throughput.sample();
    assertThat(throughput.samples()).as("the first sample is the starting point").isEmpty();
    for (int i = 1; i <= 4; i++) {
      now.addAndGet(2_000);
      done.addAndGet(10L * i);
      throughput.sample();
    }
    assertThat(throughput.samples())
        .containsExactly(
            new Throughput.Sample(14_000, 10.0),
            new Throughput.Sample(16_000, 15.0),
            new Throughput.Sample(18_000, 20.0));
  }
}
