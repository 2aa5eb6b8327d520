package surge.slurmcommon.command;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Slurm's ways of writing times in its commands' output. */
public final class SlurmTimes {
  private SlurmTimes() {}

  /**
   * A time like {@code 2026-12-04T02:43:15}: slurmctld's local time, taken to be {@code zone};
   * empty for {@code Unknown}, {@code N/A}, {@code None}.
   */
  public static Optional<Instant> instant(String text, ZoneId zone) {
    try {
      return Optional.of(LocalDateTime.parse(text.strip()).atZone(zone).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * A time limit or run time: {@code MM:SS}, {@code HH:MM:SS}, {@code D-HH:MM:SS}; empty for {@code
   * UNLIMITED}, {@code INVALID} and others.
   */
  public static Optional<Duration> duration(String text) {
    String t = text.strip();
    long days = 0;
    int dash = t.indexOf('-');
    if (dash > 0) {
      days = number(t.substring(0, dash));
      t = t.substring(dash + 1);
    }
    String[] p = t.split(":");
    if (days < 0 || p.length < 2 || p.length > 3) {
      return Optional.empty();
    }
    long h = p.length == 3 ? number(p[0]) : 0;
    long m = number(p[p.length - 2]);
    long s = number(p[p.length - 1]);
    if (h < 0 || m < 0 || s < 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofDays(days).plusHours(h).plusMinutes(m).plusSeconds(s));
  }

  private static long number(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
