package surge.quotas.control;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import surge.config.Rate;

/**
 * One token bucket per key (a user, an address): {@code rate.count()} tokens at most, refilled
 * evenly over {@code rate.period()}. Kept as the generic cell rate algorithm: one "theoretical
 * arrival time" per key instead of a token count and a last-refill time, so a take is one
 * comparison and a full bucket is simply a time in the past, which is what lets idle keys be
 * dropped.
 */
public final class TokenBucket {
  /** Above this many keys, full buckets are dropped (they are the same as absent ones). */
  private static final int PRUNE_ABOVE = 10_000;

  private final Rate rate;
  private final long interval;
  private final long tolerance;
  private final LongSupplier nanos;
  private final Map<String, Long> due = new HashMap<>();

  /**
   * @param rate how many takes per period
   * @param nanos a monotonic clock in nanoseconds ({@code System::nanoTime}; a fake in tests)
   */
  public TokenBucket(Rate rate, LongSupplier nanos) {
    this.rate = rate;
    this.interval = Math.max(1, rate.period().toNanos() / rate.count());
    this.tolerance = rate.period().toNanos() - interval;
    this.nanos = nanos;
  }

  /**
   * Takes one token of {@code key}'s bucket. Empty when taken; otherwise how long until one is
   * there (the bucket is left as it was, so a refused caller does not dig itself deeper).
   */
  public synchronized Optional<Duration> take(String key) {
    long now = nanos.getAsLong();
    long tat = Math.max(due.getOrDefault(key, now), now);
    long wait = tat - tolerance - now;
    if (wait > 0) {
      return Optional.of(Duration.ofNanos(wait));
    }
    if (due.size() >= PRUNE_ABOVE) {
      due.values().removeIf(t -> t - now <= 0);
    }
    due.put(key, tat + interval);
    return Optional.empty();
  }

  public Rate rate() {
    return rate;
  }

  @Override
  public String toString() {
    return rate.toString();
  }
}
