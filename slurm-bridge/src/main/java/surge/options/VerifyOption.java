package surge.options;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value of {@code --verify}: how the server makes sure volunteers' results are right. {@code
 * adaptive} accepts a result once the volunteers that agree on it are credible enough, {@code
 * replicate=N} wants N agreeing results from N distinct volunteers, {@code none} gives the tasks to
 * trusted volunteers only. {@link #wire()} is the job JSON's {@code verify}.
 */
public record VerifyOption(Mode mode, int replicas) {
  /** BOINC's quorums are 2 or 3; past 16 a job should rather run on the batch partition. */
  public static final int MAX_REPLICAS = 16;

  private static final Pattern REPLICATE = Pattern.compile("replicate=([0-9]{1,9})");

  /** The three ways to verify. */
  public enum Mode {
    ADAPTIVE,
    REPLICATE,
    NONE
  }

  public VerifyOption {
    if ((mode == Mode.REPLICATE) != (replicas > 0)) {
      throw new IllegalArgumentException("a replica count goes with replicate only");
    }
  }

  static VerifyOption parse(String text) {
    switch (text) {
      case "adaptive":
        return new VerifyOption(Mode.ADAPTIVE, 0);
      case "none":
        return new VerifyOption(Mode.NONE, 0);
      default:
        Matcher m = REPLICATE.matcher(text);
        if (m.matches()) {
          int n = Integer.parseInt(m.group(1));
          if (n >= 1 && n <= MAX_REPLICAS) {
            return new VerifyOption(Mode.REPLICATE, n);
          }
        }
        throw new IllegalArgumentException(
            "expected adaptive, replicate=N (1.." + MAX_REPLICAS + ") or none, got '" + text + "'");
    }
  }

  /** {@code adaptive}, {@code replicate=3} or {@code none}. */
  public String wire() {
    return mode == Mode.REPLICATE ? "replicate=" + replicas : mode.name().toLowerCase(Locale.ROOT);
  }

  static final class Converter implements ITypeConverter<VerifyOption> {
    @Override
    public VerifyOption convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
