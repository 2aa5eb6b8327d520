package surge.jobs.control;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import surge.api.Problem;

/**
 * The {@code sum} merge: every output is a list of whitespace-separated numbers; the result keeps
 * the layout (whitespace) of task 0's output with each number replaced by the element-wise sum.
 * Integers are summed exactly (no overflow); any decimal makes that position a decimal sum.
 */
final class SumMerge {
  private final List<String> separators = new ArrayList<>(); // before each number, then trailing
  private BigDecimal[] decimals;
  private BigInteger[] integers;
  private boolean[] decimal;
  private int tasks;

  void add(int task, byte[] output) {
    String text = new String(output, StandardCharsets.UTF_8);
    List<String> numbers = new ArrayList<>();
    List<String> gaps = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (true) {
      int start = i;
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      gaps.add(text.substring(start, i));
      if (i >= n) {
        break;
      }
      int tokenStart = i;
      while (i < n && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      numbers.add(text.substring(tokenStart, i));
    }
    if (tasks == 0) {
      separators.addAll(gaps);
      integers = new BigInteger[numbers.size()];
      decimals = new BigDecimal[numbers.size()];
      decimal = new boolean[numbers.size()];
      java.util.Arrays.fill(integers, BigInteger.ZERO);
      java.util.Arrays.fill(decimals, BigDecimal.ZERO);
    } else if (numbers.size() != integers.length) {
      throw new MergeFailure(
          "sum merge: task "
              + task
              + " printed "
              + numbers.size()
              + " numbers but task 0 printed "
              + integers.length);
    }
    for (int k = 0; k < numbers.size(); k++) {
      String token = numbers.get(k);
      BigDecimal value;
      try {
        value = new BigDecimal(token);
      } catch (NumberFormatException e) {
        throw new MergeFailure(
            "sum merge: task "
                + task
                + " printed '"
                + abbreviate(token)
                + "' where a number belongs");
      }
      boolean isInteger = token.chars().allMatch(c -> Character.isDigit(c) || c == '-' || c == '+');
      if (isInteger && !decimal[k]) {
        integers[k] = integers[k].add(value.toBigIntegerExact());
      } else {
        if (!decimal[k]) {
          decimal[k] = true;
          decimals[k] = new BigDecimal(integers[k]);
        }
        decimals[k] = decimals[k].add(value);
      }
    }
    tasks++;
  }

  byte[] result() {
    if (tasks == 0) {
      return new byte[0];
    }
    var out = new StringBuilder();
    for (int k = 0; k < integers.length; k++) {
      out.append(separators.get(k));
      out.append(decimal[k] ? decimals[k].toPlainString() : integers[k].toString());
    }
    out.append(separators.get(integers.length));
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /** The outputs cannot be merged; the job fails with this message. */
  static final class MergeFailure extends Problem {
    MergeFailure(String message) {
      super(422, null, message);
    }
  }
}
