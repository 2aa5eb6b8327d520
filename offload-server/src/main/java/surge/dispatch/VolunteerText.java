package surge.dispatch;

import java.nio.charset.StandardCharsets;

/**
 * Text a volunteer wrote (a task's stderr) on its way into a job's error, where users read it in
 * terminals and pages: control characters (ESC, NUL, CR...) and the Unicode controls that reorder
 * text (U+202E and friends) become U+FFFD, and the length is bounded. Newlines and tabs stay: a
 * stderr tail is lines.
 */
final class VolunteerText {
  private VolunteerText() {}

  /** The last {@code max} characters of UTF-8 {@code bytes}, cleaned as below. */
  static String tail(byte[] bytes, int max) {
    // Cut the bytes first: a volunteer may send megabytes, and a character is at most 4 bytes.
    int from = (int) Math.max(0, bytes.length - 4L * max);
    return tail(new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8), max);
  }

  /** The last {@code max} characters of {@code text}, cleaned as above. */
  static String tail(String text, int max) {
    String t = text.length() > max ? text.substring(text.length() - max) : text;
    var out = new StringBuilder(t.length());
    t.codePoints().forEach(c -> out.appendCodePoint(safe(c) ? c : 0xFFFD));
    return out.toString();
  }

  private static boolean safe(int c) {
    if (c == '\n' || c == '\t') {
      return true;
    }
    if (Character.isISOControl(c)) {
      return false; // C0, DEL, C1
    }
    int type = Character.getType(c);
    // FORMAT holds the bidirectional overrides and isolates (U+202A-202E, U+2066-2069), zero-width
    // characters and the BOM; SURROGATE is a lone half left by cutting or by bad UTF-8.
    return type != Character.FORMAT
        && type != Character.SURROGATE
        && type != Character.PRIVATE_USE
        && type != Character.UNASSIGNED;
  }
}
