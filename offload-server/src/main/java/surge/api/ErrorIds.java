package surge.api;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Ids that tie a 500 answer to its log line, and the one-line summary of the failure. */
public final class ErrorIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ErrorIds() {}

  public static String next() {
    byte[] id = new byte[6];
    RANDOM.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  /** The exception and its root cause, each with where it was thrown, on one line. */
  public static String summary(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String line = describe(e);
    return root == e ? line : line + "; caused by " + describe(root);
  }

  private static String describe(Throwable t) {
    StackTraceElement[] stack = t.getStackTrace();
    String where = stack.length == 0 ? "" : " at " + stack[0];
    return t.getClass().getName() + ": " + t.getMessage() + where;
  }
}
