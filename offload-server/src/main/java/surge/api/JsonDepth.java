package surge.api;

/**
 * How deep a JSON text nests arrays and objects, checked before it is parsed. Parsson reads nested
 * values recursively and stops at its own limit (1000) with a plain RuntimeException and a stack of
 * about 150 KB; no Surge message nests more than a few levels, so a far smaller limit refuses deep
 * nesting as bad input instead.
 */
public final class JsonDepth {
  /** The deepest nesting any JSON read by Surge may have. */
  public static final int LIMIT = 32;

  private JsonDepth() {}

  /** Whether {@code text} opens more than {@code limit} arrays or objects inside each other. */
  public static boolean exceeds(CharSequence text, int limit) {
    int depth = 0;
    boolean inString = false;
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++; // the escaped character cannot end the string
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '[' || c == '{') {
        if (++depth > limit) {
          return true;
        }
      } else if (c == ']' || c == '}') {
        depth--;
      }
    }
    return false;
  }

  /** The refusal's wording, naming the limit. */
  public static String refusal(String what) {
    return what + " nests arrays or objects more than " + LIMIT + " levels deep";
  }
}
