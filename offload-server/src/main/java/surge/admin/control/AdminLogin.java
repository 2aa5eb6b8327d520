package surge.admin.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The admin's HTTP Basic login: user {@code admin}, password SURGE_ADMIN_PASSWORD, compared in
 * constant time. An address with {@value #MAX_FAILURES} failures in a minute is refused until the
 * minute is over, so that guessing is slow.
 */
public final class AdminLogin {
  public static final String USER = "admin";
  static final int MAX_FAILURES = 5;
  private static final long WINDOW_MILLIS = 60_000;
  private static final int MAX_ADDRESSES = 10_000;

  /** What a request's Authorization header earned. */
  public enum Outcome {
    ALLOWED,
    /** No or wrong credentials: ask for them. */
    REFUSED,
    /** Too many failures from this address: wait. */
    THROTTLED
  }

  private record Failures(long windowStart, int count) {}

  private final Optional<byte[]> expected;
  private final LongSupplier clockMillis;
  private final Map<String, Failures> failures = new ConcurrentHashMap<>();

  public AdminLogin(Optional<String> password, LongSupplier clockMillis) {
    this.expected = password.map(p -> digest(USER + ":" + p));
    this.clockMillis = clockMillis;
  }

  /** False when no password is set: the dashboard and the export are off. */
  public boolean enabled() {
    return expected.isPresent();
  }

  public Outcome check(String remoteAddress, String authorization) {
    if (expected.isEmpty()) {
      return Outcome.REFUSED;
    }
    long now = clockMillis.getAsLong();
    Failures f = failures.get(remoteAddress);
    if (f != null && now - f.windowStart() < WINDOW_MILLIS && f.count() >= MAX_FAILURES) {
      return Outcome.THROTTLED;
    }
    if (authorization == null) {
      return Outcome.REFUSED;
    }
    if (matches(authorization)) {
      failures.remove(remoteAddress);
      return Outcome.ALLOWED;
    }
    if (failures.size() > MAX_ADDRESSES) {
      failures.clear();
    }
    failures.merge(
        remoteAddress,
        new Failures(now, 1),
        (old, one) ->
            now - old.windowStart() < WINDOW_MILLIS
                ? new Failures(old.windowStart(), old.count() + 1)
                : one);
    return Outcome.REFUSED;
  }

  /** Seconds until a throttled address may try again (at most a minute). */
  public long retryAfterSeconds(String remoteAddress) {
    Failures f = failures.get(remoteAddress);
    long left = f == null ? 0 : WINDOW_MILLIS - (clockMillis.getAsLong() - f.windowStart());
    return Math.max(1, (left + 999) / 1000);
  }

  private boolean matches(String authorization) {
    if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String credentials;
    try {
      credentials =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).trim()),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    // Digests of equal length, compared without an early exit: the time says nothing.
    return MessageDigest.isEqual(digest(credentials), expected.orElseThrow());
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is in every JVM", e);
    }
  }
}
