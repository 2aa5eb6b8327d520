package surge.options;

import java.math.BigDecimal;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value of {@code --verify-error}: the error rate adaptive verification keeps a task's accepted
 * result below, from 1e-12 (below that the credibility sums no longer tell a difference) to 0.5.
 */
final class VerifyErrorOption {
  static final BigDecimal MIN = new BigDecimal("1e-12");
  static final BigDecimal MAX = new BigDecimal("0.5");

  private VerifyErrorOption() {}

  static double parse(String text) {
    if (CompareOption.isDecimal(text)) {
      BigDecimal value = new BigDecimal(text);
      if (value.compareTo(MIN) >= 0 && value.compareTo(MAX) <= 0) {
        return value.doubleValue();
      }
    }
    throw new IllegalArgumentException(
        "expected a number from 1e-12 to 0.5 (the error rate adaptive verification aims below,"
            + " e.g. 1e-4), got '"
            + text
            + "'");
  }

  static final class Converter implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
