package surge.dispatch;

import java.util.Arrays;
import java.util.Locale;

/** How two volunteers' outputs for one task are judged the same answer. */
public sealed interface Comparison {
  /** Whether {@link #agree} answers; a validator kernel does not (it runs on a Validator). */
  default boolean synchronous() {
    return !(this instanceof Kernel);
  }

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

  /**
   * A validator kernel (WASI) the server runs on a task's candidate outputs; it says which agree
   * (docs/verification.md, "Validator kernels"). It cannot be asked synchronously: the dispatcher
   * hands it to a {@link Validator}.
   */
  record Kernel(String sha256) implements Comparison {
    public Kernel {
      if (!sha256.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(
            "kernel:SHA takes the sha256 of an uploaded kernel (64 lower-case hex digits), got '"
                + sha256
                + "'");
      }
    }

    @Override
    public boolean agree(byte[] a, byte[] b) {
      throw new UnsupportedOperationException("a validator kernel runs through a Validator");
    }

    @Override
    public String text() {
      return "kernel:" + sha256;
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
    if (text.startsWith("kernel:")) {
      return new Kernel(text.substring("kernel:".length()));
    }
    throw new IllegalArgumentException(
        "expected bytes, numeric:REL (a relative tolerance between 0 and 1, e.g. numeric:1e-9) or"
            + " kernel:SHA (an uploaded validator kernel), got '"
            + text
            + "'");
  }
}
