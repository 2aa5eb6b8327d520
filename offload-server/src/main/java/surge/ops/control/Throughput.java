package surge.ops.control;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Tasks completed per second over the last while, for the dashboard's chart: a ring buffer sampled
 * every few seconds from the dispatcher's running total. Nothing is stored; a restart starts empty.
 */
public final class Throughput {
  /** One sample: at {@code epochMillis}, {@code perSecond} tasks a second since the previous. */
  public record Sample(long epochMillis, double perSecond) {}

  private final LongSupplier completedTotal;
  private final LongSupplier clockMillis;
  private final Sample[] ring;
  private int next;
  private int size;
  private long lastTotal = -1;
  private long lastMillis;

  public Throughput(LongSupplier completedTotal, LongSupplier clockMillis, int capacity) {
    this.completedTotal = completedTotal;
    this.clockMillis = clockMillis;
    this.ring = new Sample[capacity];
  }

  /** Takes one sample; the first call only sets the starting point. */
  public synchronized void sample() {
    long total = completedTotal.getAsLong();
    long now = clockMillis.getAsLong();
    if (lastTotal >= 0 && now > lastMillis) {
      ring[next] = new Sample(now, Math.max(0, total - lastTotal) * 1000.0 / (now - lastMillis));
      next = (next + 1) % ring.length;
      size = Math.min(size + 1, ring.length);
    }
    lastTotal = total;
    lastMillis = now;
  }

  /** The samples kept, oldest first. */
  public synchronized List<Sample> samples() {
    var out = new ArrayList<Sample>(size);
    for (int i = 0; i < size; i++) {
      out.add(ring[(next - size + i + ring.length) % ring.length]);
    }
    return out;
  }
}
