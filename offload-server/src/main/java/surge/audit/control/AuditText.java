package surge.audit.control;

/**
 * Makes text safe to keep in the audit log and to show later on a terminal or a page: control and
 * format characters (newlines, ESC, NUL, bidirectional overrides such as U+202E) become {@code ?},
 * and the text is cut to a bound, never inside a surrogate pair. A log line then cannot forge a
 * second line, move a terminal's cursor, or reverse what a reader sees.
 */
public final class AuditText {
  private AuditText() {}

  /** {@code text} cleaned and cut to at most {@code max} characters ({@code …} marks a cut). */
  public static String clean(String text, int max) {
    if (text == null) {
      return "";
    }
    boolean fits = text.length() <= max;
    int room = fits ? max : max - 1;
    var out = new StringBuilder(Math.min(text.length(), max));
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      int width = Character.charCount(cp);
      if (out.length() + width > room) {
        break;
      }
      out.appendCodePoint(unsafe(cp) ? '?' : cp);
      i += width;
    }
    if (!fits) {
      out.append('…');
    }
    return out.toString();
  }

  private static boolean unsafe(int cp) {
    return switch (Character.getType(cp)) {
      case Character.CONTROL,
              Character.FORMAT,
              Character.LINE_SEPARATOR,
              Character.PARAGRAPH_SEPARATOR,
              Character.SURROGATE,
              Character.PRIVATE_USE,
              Character.UNASSIGNED ->
          true;
      default -> false;
    };
  }
}
