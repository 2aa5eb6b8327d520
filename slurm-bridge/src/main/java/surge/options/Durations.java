package surge.options;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads the durations people type ({@code 30m}, {@code 2h}, {@code 1h30m}, {@code 45s}, {@code 1d})
 * and deadlines given either as such a duration from now or as an ISO-8601 instant.
 */
public final class Durations {
  private static final Pattern SHORT =
      Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");
  private static final String EXPECTED =
      "expected a duration like 30m, 2h, 1h30m, 45s or an ISO-8601 instant like"
          + " 2026-11-23T18:00:00Z";

  private Durations() {}

  /** A positive duration; units in the order d, h, m, s, each at most once. */
  public static Duration parse(String text) {
    String value = text.strip().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(value);
    if (value.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException(
          "expected a duration like 30m, 2h, 1h30m or 45s, got '" + text + "'");
    }
    try {
      Duration total =
          Duration.ofDays(number(m.group(1)))
              .plusHours(number(m.group(2)))
              .plusMinutes(number(m.group(3)))
              .plusSeconds(number(m.group(4)));
      if (total.isZero()) {
        throw new IllegalArgumentException("a duration must be positive, got '" + text + "'");
      }
      return total;
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration too long: '" + text + "'");
    }
  }

  /** {@code now + duration} for a duration, else the instant itself. */
  public static Instant deadline(String text, Clock clock) {
    String value = text.strip();
    if (!value.isEmpty() && SHORT.matcher(value.toLowerCase(Locale.ROOT)).matches()) {
      return clock.instant().plus(parse(value));
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException notOffset) {
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(EXPECTED + ", got '" + text + "'");
      }
    }
  }

  /** {@code 12.3 s} below a minute, then {@code 4m05s}, then {@code 1h02m05s}. */
  public static String format(Duration duration) {
    long millis = Math.max(0, duration.toMillis());
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 100 / 10.0);
    }
    long seconds = millis / 1000;
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(
        Locale.ROOT, "%dh%02dm%02ds", seconds / 3600, seconds % 3600 / 60, seconds % 60);
  }

  /** For options whose value is a duration ({@link #parse}). */
  public static final class Converter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  private static long number(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }
}
