package surge.admin.control;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Slows password guessing without ever locking the right password out. Each failure from an address
 * doubles the wait before that address's next check (up to {@code maxDelay}); the wait comes before
 * the check, so a right password is slowed, never refused. One check per address runs at a time, so
 * parallel requests do not multiply the guessing rate. The table of addresses is a bounded LRU that
 * evicts its oldest entries one by one (never cleared), and failures from all addresses together
 * have a budget per minute: past it every check waits {@code maxDelay}, so spreading guesses over
 * many addresses, or flooding the table to push one out, gains nothing.
 */
public final class LoginThrottle {
  /** Sleeps; a test passes one that only counts. */
  public interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  /**
   * Failures kept where several server instances see them (surge.cluster, in the database), so that
   * N instances behind one proxy do not allow N times one instance's guessing rate. Times are the
   * store's own clock; the counts follow the same rules as the in-memory table.
   */
  public interface SharedFailures {
    /** The address's failures (0 once forgotten) and how long ago the last was; the minute's. */
    Seen seen(String address);

    /** A check from the address failed. */
    void failed(String address);

    /** A check from the address succeeded: its failures are forgotten. */
    void succeeded(String address);

    /**
     * @param failures the address's failures not yet forgotten
     * @param sinceLastMillis how long ago its last failure was
     * @param minuteFailures every address's failures in the current minute
     */
    record Seen(int failures, long sinceLastMillis, int minuteFailures) {}
  }

  /** Another check from this address has been running for longer than a check can wait. */
  public static final class Busy extends Exception {
    public Busy() {
      super("another login from this address is being checked", null, false, false);
    }
  }

  private static final long FIRST_DELAY_MILLIS = 250;
  private static final long FORGET_AFTER_MILLIS = 15 * 60_000;
  private static final long MINUTE = 60_000;

  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock();
    int failures;
    long lastFailure;
  }

  private final int maxAddresses;
  private final long maxDelayMillis;
  private final int failuresPerMinute;
  private final LongSupplier clockMillis;
  private final Sleeper sleeper;
  private final LinkedHashMap<String, Entry> entries;
  private long minuteStart;
  private int minuteFailures;
  private final SharedFailures shared;

  public LoginThrottle(
      int maxAddresses,
      Duration maxDelay,
      int failuresPerMinute,
      LongSupplier clockMillis,
      Sleeper sleeper) {
    this(maxAddresses, maxDelay, failuresPerMinute, clockMillis, sleeper, null);
  }

  /** With {@code shared} (may be null), failures are counted there, across instances. */
  public LoginThrottle(
      int maxAddresses,
      Duration maxDelay,
      int failuresPerMinute,
      LongSupplier clockMillis,
      Sleeper sleeper,
      SharedFailures shared) {
    this.shared = shared;
    this.maxAddresses = maxAddresses;
    this.maxDelayMillis = maxDelay.toMillis();
    this.failuresPerMinute = failuresPerMinute;
    this.clockMillis = clockMillis;
    this.sleeper = sleeper;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > LoginThrottle.this.maxAddresses;
          }
        };
  }

  /** The server's: 10,000 addresses, waits up to 5 s, 300 failures a minute in all. */
  public static LoginThrottle standard(LongSupplier clockMillis) {
    return standard(clockMillis, null);
  }

  /** The server's, counting failures in {@code shared} (several instances) when it is not null. */
  public static LoginThrottle standard(LongSupplier clockMillis, SharedFailures shared) {
    return new LoginThrottle(
        10_000, Duration.ofSeconds(5), 300, clockMillis, Thread::sleep, shared);
  }

  /**
   * Waits as this address's and everyone's failures require, then runs {@code check} (true: the
   * credentials are right) and remembers the outcome.
   */
  public boolean attempt(String address, BooleanSupplier check) throws Busy, InterruptedException {
    Entry entry;
    synchronized (this) {
      entry = entries.computeIfAbsent(address, a -> new Entry());
    }
    if (!entry.lock.tryLock(maxDelayMillis + 1000, TimeUnit.MILLISECONDS)) {
      throw new Busy();
    }
    try {
      long wait = shared == null ? delayMillis(entry) : sharedDelayMillis(address);
      if (wait > 0) {
        sleeper.sleep(wait);
      }
      boolean ok = check.getAsBoolean();
      if (shared != null) {
        if (ok) {
          shared.succeeded(address);
        } else {
          shared.failed(address);
        }
        return ok;
      }
      synchronized (this) {
        if (ok) {
          entry.failures = 0;
        } else {
          entry.failures++;
          entry.lastFailure = clockMillis.getAsLong();
          countGlobalFailure(entry.lastFailure);
          // Back in the table if a flood evicted it meanwhile.
          entries.putIfAbsent(address, entry);
        }
      }
      return ok;
    } finally {
      entry.lock.unlock();
    }
  }

  /** How long the next check from {@code address} waits now, in milliseconds. */
  public long delayMillis(String address) {
    if (shared != null) {
      return sharedDelayMillis(address);
    }
    synchronized (this) {
      Entry e = entries.get(address);
      return delayMillis(e == null ? new Entry() : e);
    }
  }

  private synchronized long delayMillis(Entry e) {
    long now = clockMillis.getAsLong();
    if (e.failures > 0 && now - e.lastFailure > FORGET_AFTER_MILLIS) {
      e.failures = 0;
    }
    return delay(e.failures, now - minuteStart < MINUTE && minuteFailures >= failuresPerMinute);
  }

  private long sharedDelayMillis(String address) {
    var seen = shared.seen(address);
    int failures = seen.sinceLastMillis() > FORGET_AFTER_MILLIS ? 0 : seen.failures();
    return delay(failures, seen.minuteFailures() >= failuresPerMinute);
  }

  private long delay(int failures, boolean overBudget) {
    long own =
        failures == 0
            ? 0
            : Math.min(maxDelayMillis, FIRST_DELAY_MILLIS << Math.min(20, failures - 1));
    return overBudget ? maxDelayMillis : own;
  }

  private void countGlobalFailure(long now) {
    if (now - minuteStart >= MINUTE) {
      minuteStart = now;
      minuteFailures = 0;
    }
    minuteFailures++;
  }

  synchronized int addresses() {
    return entries.size();
  }
}
