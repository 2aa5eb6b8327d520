package surge.client;

import java.util.OptionalInt;

/**
 * The characters that must not reach a terminal from text someone else wrote (a volunteer's stderr,
 * another user's job name, a server's error): C0 controls (ESC starts the sequences that clear the
 * screen, move the cursor, set the window title or, on some terminals, write files), DEL, C1
 * controls (U+009B is a one-character CSI for terminals that read UTF-8 that way), and the Unicode
 * marks that reorder what follows (U+202E makes {@code exe.txt} read as {@code txt.exe}).
 *
 * <p>Escapes are JSON's {@code \}{@code uXXXX}: visible, unambiguous, and inside a JSON string the
 * same character, so {@code surge status --json} stays the same JSON.
 */
public final class ControlCharacters {
  private ControlCharacters() {}

  /** True for a character that is escaped when printed and refused in a job name. */
  public static boolean isUnsafe(int codePoint) {
    return codePoint < 0x20
        || (codePoint >= 0x7F && codePoint <= 0x9F)
        || codePoint == 0x061C // Arabic letter mark
        || codePoint == 0x200E // left-to-right mark
        || codePoint == 0x200F // right-to-left mark
        || codePoint == 0x2028 // line separator
        || codePoint == 0x2029 // paragraph separator
        || (codePoint >= 0x202A && codePoint <= 0x202E) // embeddings and overrides
        || (codePoint >= 0x2066 && codePoint <= 0x2069); // isolates
  }

  /** The index of the first unsafe character, if any. */
  public static OptionalInt firstUnsafe(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (isUnsafe(c)) {
        return OptionalInt.of(i);
      }
      i += Character.charCount(c);
    }
    return OptionalInt.empty();
  }

  /** One line of text safe to print: every unsafe character escaped, newlines included. */
  public static String escape(String text) {
    return escape(text, false);
  }

  /**
   * Several lines safe to print (a stderr tail, a message with detail below it): newlines and tabs
   * stay, everything else unsafe is escaped, carriage returns too (they would overwrite a line).
   */
  public static String escapeKeepingLines(String text) {
    return escape(text, true);
  }

  private static String escape(String text, boolean keepLines) {
    if (text == null) {
      return null;
    }
    if (firstUnsafe(text).isEmpty()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    text.codePoints()
        .forEach(
            c -> {
              if (keepLines && (c == '\n' || c == '\t')) {
                out.append((char) c);
              } else if (isUnsafe(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }
}
