package surge.slurmcommon.script;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of Surge: {@code #OFFLOAD} lines, the command line and the server's
 * configuration all read durations here (the reference is {@code docs/offload-lines.md}).
 *
 * <ul>
 *   <li>Short form: one or more {@code NUMBER UNIT} parts, units {@code d h m s ms}, in any order,
 *       each unit at most once, letters in either case: {@code 30m}, {@code 1h30m}, {@code 500ms},
 *       {@code 30s2m}. A repeated unit ({@code 1m1m}) is refused: it is more likely a typo than a
 *       sum.
 *   <li>ISO-8601: {@code PT30M}, {@code P1DT2H}, {@code PT0.5S}.
 *   <li>Never negative; zero only where {@link #parse} allows it ({@link #positive} refuses it).
 * </ul>
 */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(?:\\d+(?:ms|d|h|m|s))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|d|h|m|s)");
  private static final String EXAMPLES = "30m, 2h, 1h30m, 45s, 500ms or PT30M";
  private static final String DEADLINE_EXPECTED =
      "expected a duration like 30m, 2h, 1h30m, 45s or an ISO-8601 instant like"
          + " 2026-11-23T18:00:00Z";

  private Durations() {}

  /**
   * A duration of zero or more.
   *
   * @throws IllegalArgumentException naming the text and what was expected
   */
  public static Duration parse(String text) {
    String value = text.strip().toLowerCase(Locale.ROOT);
    if (value.startsWith("p")) {
      return iso(text, value);
    }
    if (!SHORT.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "expected a duration like " + EXAMPLES + ", got '" + text + "'");
    }
    Matcher m = PART.matcher(value);
    Set<String> units = new HashSet<>();
    Duration total = Duration.ZERO;
    try {
      while (m.find()) {
        String unit = m.group(2);
        if (!units.add(unit)) {
          throw new IllegalArgumentException(
              "the unit " + unit + " is given twice in '" + text + "'; give each unit once");
        }
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (unit) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration too long: '" + text + "'");
    }
    return total;
  }

  /** A duration above zero ({@link #parse}). */
  public static Duration positive(String text) {
    Duration d = parse(text);
    if (d.isZero()) {
      throw new IllegalArgumentException("a duration must be positive, got '" + text + "'");
    }
    return d;
  }

  /** True when {@code text} is written in this grammar (it may still be too long or zero). */
  public static boolean looksLikeDuration(String text) {
    String value = text.strip().toLowerCase(Locale.ROOT);
    return value.startsWith("p") || SHORT.matcher(value).matches();
  }

  /** {@code now + duration} for a positive duration, else the ISO-8601 instant itself. */
  public static Instant deadline(String text, Clock clock) {
    String value = text.strip();
    if (!value.isEmpty() && looksLikeDuration(value)) {
      return clock.instant().plus(positive(value));
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException notOffset) {
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(DEADLINE_EXPECTED + ", got '" + text + "'");
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

  private static Duration iso(String text, String value) {
    Duration d;
    try {
      d = Duration.parse(value.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "expected a duration like " + EXAMPLES + ", got '" + text + "'");
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration too long: '" + text + "'");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("a duration cannot be negative, got '" + text + "'");
    }
    return d;
  }
}
