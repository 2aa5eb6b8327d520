package surge.quotas.control;

import java.time.Duration;
import java.util.Optional;
import surge.api.Problem;

/**
 * A request refused because its user is at a quota or above the submission rate. Answered {@code
 * 429} (counts and rates: wait for jobs to end, or for the time given) or {@code 413} (stored
 * bytes: nothing frees itself), with the quota, the user's current use and the limit, so the user
 * can tell which quota it was and by how much.
 */
public final class QuotaExceeded extends Problem {
  private final String quota;
  private final long used;
  private final long limit;
  private final Optional<Duration> retryAfter;

  QuotaExceeded(
      int status,
      String field,
      String quota,
      long used,
      long limit,
      Optional<Duration> retryAfter,
      String message) {
    super(status, field, message);
    this.quota = quota;
    this.used = used;
    this.limit = limit;
    this.retryAfter = retryAfter;
  }

  /** The quota's name: {@code jobs}, {@code tasks}, {@code inputBytes}, {@code resultBytes}. */
  public String quota() {
    return quota;
  }

  /** The user's use when refused (for {@code submits}: the rate's count). */
  public long used() {
    return used;
  }

  /** The limit (for {@code submits}: the rate's count per its period). */
  public long limit() {
    return limit;
  }

  /** For a rate refusal: when to try again. */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  /** Whole seconds for {@code Retry-After}, rounded up, at least 1. */
  public Optional<Long> retryAfterSeconds() {
    return retryAfter.map(QuotaExceeded::seconds);
  }

  static long seconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }
}
