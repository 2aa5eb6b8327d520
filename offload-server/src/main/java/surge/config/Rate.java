package surge.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A rate as people write it in configuration: {@code 60/min}, {@code 10/s}, {@code 1000/h}, {@code
 * 5/30s}, or {@code off}. Read by one piece of code so every rate setting means the same thing.
 *
 * @param count how many in one period, at least 1
 * @param period the period, positive
 */
public record Rate(long count, Duration period) {
  private static final Pattern FORM = Pattern.compile("(\\d[\\d_]*)\\s*/\\s*(\\S+)");

  public Rate {
    if (count < 1) {
      throw new IllegalArgumentException("a rate counts at least 1, got " + count);
    }
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("a rate's period is positive, got " + period);
    }
  }

  /** The rate, or empty for {@code off} (no limit). */
  public static Optional<Rate> parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("off") || s.equals("none") || s.equals("unlimited")) {
      return Optional.empty();
    }
    var m = FORM.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a rate (write e.g. 60/min, 10/s, 1000/h, or off)");
    }
    long count;
    try {
      count = Long.parseLong(m.group(1).replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "': the count is too large");
    }
    Duration period =
        switch (m.group(2)) {
          case "s", "sec", "second" -> Duration.ofSeconds(1);
          case "m", "min", "minute" -> Duration.ofMinutes(1);
          case "h", "hour" -> Duration.ofHours(1);
          case "d", "day" -> Duration.ofDays(1);
          default -> Durations.parse(m.group(2));
        };
    return Optional.of(new Rate(count, period));
  }

  @Override
  public String toString() {
    return count + "/" + period.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
