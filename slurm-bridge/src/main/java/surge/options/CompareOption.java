package surge.options;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value of {@code --compare}: when two volunteers' outputs of a task agree. {@code bytes}: byte
 * for byte; {@code numeric:REL}: as whitespace-separated tokens, numbers within the relative
 * tolerance REL (0..1), other tokens exactly; {@code kernel:FILE}: a validator kernel decides,
 * uploaded as a reducer is.
 */
public record CompareOption(Kind kind, Optional<String> tolerance, Optional<Path> validator) {
  private static final String NUMERIC = "numeric:";
  private static final String KERNEL = "kernel:";

  /**
   * Plain decimal notation only: Java would also read {@code NaN}, {@code 0x1p-3} or {@code 1e-9d},
   * which the server need not, and the text goes to it as written.
   */
  private static final Pattern DECIMAL =
      Pattern.compile("(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?");

  /** The three ways to compare. */
  public enum Kind {
    BYTES,
    NUMERIC,
    KERNEL
  }

  public CompareOption {
    if ((kind == Kind.NUMERIC) != tolerance.isPresent()
        || (kind == Kind.KERNEL) != validator.isPresent()) {
      throw new IllegalArgumentException("a tolerance goes with numeric, a file with kernel");
    }
  }

  static CompareOption parse(String text) {
    if (text.equals("bytes")) {
      return new CompareOption(Kind.BYTES, Optional.empty(), Optional.empty());
    }
    if (text.startsWith(NUMERIC)) {
      String rel = text.substring(NUMERIC.length());
      if (isDecimal(rel) && new BigDecimal(rel).compareTo(BigDecimal.ONE) <= 0) {
        return new CompareOption(Kind.NUMERIC, Optional.of(rel), Optional.empty());
      }
    } else if (text.startsWith(KERNEL) && text.length() > KERNEL.length()) {
      return new CompareOption(
          Kind.KERNEL, Optional.empty(), Optional.of(Path.of(text.substring(KERNEL.length()))));
    }
    throw new IllegalArgumentException(
        "expected bytes, numeric:REL (a relative tolerance from 0 to 1, e.g. numeric:1e-9) or"
            + " kernel:FILE (a validator kernel), got '"
            + text
            + "'");
  }

  /** Whether {@code text} is a number written plainly: digits, a point, an exponent. */
  static boolean isDecimal(String text) {
    return DECIMAL.matcher(text).matches();
  }

  /** The same comparison with the validator kernel's path resolved against {@code dir}. */
  CompareOption resolveAgainst(Path dir) {
    return validator.isEmpty()
        ? this
        : new CompareOption(kind, tolerance, validator.map(dir::resolve));
  }

  /**
   * The job JSON's {@code compare}: {@code bytes}, {@code numeric:REL}, or {@code kernel:SHA256}
   * with the uploaded validator's hash.
   */
  public String wire(Optional<String> validatorSha256) {
    return switch (kind) {
      case BYTES -> "bytes";
      case NUMERIC -> NUMERIC + tolerance.orElseThrow();
      case KERNEL -> KERNEL + validatorSha256.orElseThrow();
    };
  }

  static final class Converter implements ITypeConverter<CompareOption> {
    @Override
    public CompareOption convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
