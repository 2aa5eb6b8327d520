package surge.options;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import surge.client.JobSpec.MergeKind;

/** The value of {@code --merge}: {@code concat}, {@code sum} or {@code reduce:FILE}. */
public record MergeOption(MergeKind kind, Optional<Path> reducer) {
  private static final String REDUCE = "reduce:";

  static MergeOption parse(String text) {
    switch (text) {
      case "concat":
        return new MergeOption(MergeKind.CONCAT, Optional.empty());
      case "sum":
        return new MergeOption(MergeKind.SUM, Optional.empty());
      default:
        if (text.startsWith(REDUCE) && text.length() > REDUCE.length()) {
          return new MergeOption(
              MergeKind.REDUCE, Optional.of(Path.of(text.substring(REDUCE.length()))));
        }
        throw new IllegalArgumentException(
            "expected concat, sum or reduce:FILE (a reducer kernel), got '" + text + "'");
    }
  }

  static final class Converter implements ITypeConverter<MergeOption> {
    @Override
    public MergeOption convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
