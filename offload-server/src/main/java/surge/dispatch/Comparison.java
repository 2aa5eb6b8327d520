package surge.dispatch;

import java.util.Arrays;
import java.util.Locale;

/** How two volunteers' outputs for one task are judged the same answer. */
public sealed interface Comparison {
  boolean agree(byte[] a, byte[] b);

  /** The form a job spec and a status show: {@code bytes}, {@code numeric:1e-9}. */
  String text();

  /** Byte for byte: the default, for deterministic kernels. */
  record Bytes() implements Comparison {
    @Override
    public boolean agree(byte[] a, byte[] b) {
      return Arrays.equals(a, b);
    }

    @Override
    public String text() {
      return "bytes";
    }
  }

  /**
   * Whitespace-separated tokens: numbers agree within {@code relative} of the larger magnitude (or
   * both within it of zero), any other token exactly; the counts of tokens must match.
   */
  record Numeric(double relative) implements Comparison {
    public Numeric {
      if (!(relative >= 0 && relative <= 1)) {
        throw new IllegalArgumentException(
            "a relative tolerance is between 0 and 1, got " + relative);
      }
    }

    @Override
    public boolean agree(byte[] a, byte[] b) {
      String[] x = tokens(a);
      String[] y = tokens(b);
      if (x.length != y.length) {
        return false;
      }
      for (int i = 0; i < x.length; i++) {
        if (x[i].equals(y[i])) {
          continue;
        }
        double p;
        double q;
        try {
          p = Double.parseDouble(x[i]);
          q = Double.parseDouble(y[i]);
        } catch (NumberFormatException e) {
          return false;
        }
        if (Double.isNaN(p) || Double.isNaN(q) || Double.isInfinite(p) || Double.isInfinite(q)) {
          return false; // equal texts were accepted above
        }
        double scale = Math.max(Math.abs(p), Math.abs(q));
        if (Math.abs(p - q) > relative * scale) {
          return false;
        }
      }
      return true;
    }

    private static String[] tokens(byte[] out) {
      String s = new String(out, java.nio.charset.StandardCharsets.UTF_8).strip();
      return s.isEmpty() ? new String[0] : s.split("\\s+");
    }

    @Override
    public String text() {
      return "numeric:" + String.format(Locale.ROOT, "%s", relative);
    }
  }

  Comparison BYTES = new Bytes();

  /**
   * Reads {@code bytes} or {@code numeric:REL}.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  static Comparison parse(String text) {
    if (text.equals("bytes")) {
      return BYTES;
    }
    if (text.startsWith("numeric:")) {
      try {
        return new Numeric(Double.parseDouble(text.substring("numeric:".length())));
      } catch (NumberFormatException e) {
        // below
      }
    }
    throw new IllegalArgumentException(
        "expected bytes or numeric:REL (a relative tolerance between 0 and 1, e.g. numeric:1e-9),"
            + " got '"
            + text
            + "'");
  }
}
