package surge.quotas.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import surge.config.Rate;

class TokenBucketTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final TokenBucket bucket = new TokenBucket(Rate.parse("5/min").orElseThrow(), now::get);

  @Test
  void aFullBucketGivesItsWholeCountAtOnceThenSaysHowLongToWait() {
    for (int i = 0; i < 5; i++) {
      assertThat(bucket.take("alice")).as("take %d", i).isEmpty();
    }
    assertThat(bucket.take("alice")).contains(Duration.ofSeconds(12));
  }

  @Test
  void oneTokenComesBackPerIntervalAndNoMore() {
    for (int i = 0; i < 5; i++) {
      bucket.take("alice");
    }
    now.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(bucket.take("alice")).contains(Duration.ofSeconds(1));
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(bucket.take("alice")).isEmpty();
    assertThat(bucket.take("alice")).contains(Duration.ofSeconds(12));
  }

  @Test
  void aRefusedTakeDoesNotDigDeeper() {
    for (int i = 0; i < 5; i++) {
      bucket.take("alice");
    }
    for (int i = 0; i < 100; i++) {
      assertThat(bucket.take("alice")).isPresent();
    }
    now.addAndGet(Duration.ofSeconds(12).toNanos());
    assertThat(bucket.take("alice")).isEmpty();
  }

  @Test
  void idleTimeRefillsOnlyUpToTheCount() {
    now.addAndGet(Duration.ofHours(5).toNanos());
    int taken = 0;
    while (bucket.take("alice").isEmpty()) {
      taken++;
    }
    assertThat(taken).isEqualTo(5);
  }

  @Test
  void eachKeyHasItsOwnBucket() {
    for (int i = 0; i < 5; i++) {
      bucket.take("alice");
    }
    assertThat(bucket.take("alice")).isPresent();
    assertThat(bucket.take("bob")).isEqualTo(Optional.empty());
  }

  @Test
  void ratesReadAsWritten() {
    assertThat(Rate.parse("60/min").orElseThrow()).isEqualTo(new Rate(60, Duration.ofMinutes(1)));
    assertThat(Rate.parse("10/s").orElseThrow()).isEqualTo(new Rate(10, Duration.ofSeconds(1)));
    assertThat(Rate.parse(" 1000 / h ").orElseThrow())
        .isEqualTo(new Rate(1000, Duration.ofHours(1)));
    assertThat(Rate.parse("5/30s").orElseThrow()).isEqualTo(new Rate(5, Duration.ofSeconds(30)));
    assertThat(Rate.parse("off")).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rate.parse("60 per minute"))
        .hasMessageContaining("not a rate");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rate.parse("0/min"))
        .hasMessageContaining("at least 1");
  }
}
