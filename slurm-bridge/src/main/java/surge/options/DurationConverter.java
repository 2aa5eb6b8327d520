package surge.options;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import surge.slurmcommon.script.Durations;

/**
 * For options whose value is a positive duration, in the one grammar of {@link Durations} (see
 * {@code docs/offload-lines.md}).
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Durations.positive(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
