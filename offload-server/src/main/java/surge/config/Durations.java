package surge.config;

import java.time.Duration;

/**
 * The durations people write in configuration ({@code 500ms}, {@code 30s}, {@code 1h30m}, {@code
 * PT30S}): the one grammar of {@link surge.slurmcommon.script.Durations}, documented in {@code
 * docs/offload-lines.md}.
 */
public final class Durations {
  private Durations() {}

  public static Duration parse(String text) {
    return surge.slurmcommon.script.Durations.parse(text);
  }
}
