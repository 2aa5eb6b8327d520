package surge.slurmcommon.script;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Splits the text of an {@code #OFFLOAD} line into words the way a POSIX shell would, without
 * running anything: blanks separate words; {@code '...'} is literal; {@code "..."} keeps blanks and
 * expands variables, with {@code \"}, {@code \\} and {@code \$} escaped; a backslash outside quotes
 * escapes the next character; a {@code #} that starts a word starts a comment. {@code $NAME},
 * {@code ${NAME}} and {@code ${NAME:-default}} expand from the environment, and a value is never
 * split into more words. Anything a shell would run ({@code $(...)}, backquotes) is refused, as is
 * a variable that is not set: a job must not start with an argument silently missing.
 *
 * <p>Where the environment is not known (the server reading a pending job's script), the same
 * grammar applies and a word that takes a variable's value is marked {@link Word#fromEnvironment()}
 * instead of expanded.
 */
public final class ScriptWords {
  /**
   * One word of a line.
   *
   * @param fromEnvironment it takes a variable's value that was not known (only without an
   *     environment); {@code text} then holds the variable unexpanded
   */
  public record Word(String text, boolean fromEnvironment) {}

  private final String text;
  private final Optional<Map<String, String>> env;
  private int i;
  private boolean usedUnknown;

  private ScriptWords(String text, Optional<Map<String, String>> env) {
    this.text = text;
    this.env = env;
  }

  /**
   * The words of {@code text} with variables expanded from {@code env}.
   *
   * @throws IllegalArgumentException saying what is wrong with the line
   */
  public static List<String> split(String text, Map<String, String> env) {
    return words(text, Optional.of(env)).stream().map(Word::text).toList();
  }

  /**
   * The words of {@code text}; with an empty {@code env}, variables are not expanded but mark their
   * word.
   *
   * @throws IllegalArgumentException saying what is wrong with the line
   */
  public static List<Word> words(String text, Optional<Map<String, String>> env) {
    return new ScriptWords(text, env).words();
  }

  private List<Word> words() {
    List<Word> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t') {
        if (inWord) {
          words.add(new Word(word.toString(), usedUnknown));
          word.setLength(0);
          usedUnknown = false;
          inWord = false;
        }
        i++;
        continue;
      }
      if (c == '#' && !inWord) {
        break;
      }
      inWord = true;
      switch (c) {
        case '\'':
          int end = text.indexOf('\'', i + 1);
          if (end < 0) {
            throw new IllegalArgumentException("unterminated ' quote");
          }
          word.append(text, i + 1, end);
          i = end + 1;
          break;
        case '"':
          i++;
          doubleQuoted(word);
          break;
        case '\\':
          if (i + 1 == text.length()) {
            throw new IllegalArgumentException(
                "the line ends with \\, but #OFFLOAD lines do not continue on the next line");
          }
          word.append(text.charAt(i + 1));
          i += 2;
          break;
        case '$':
          dollar(word);
          break;
        case '`':
          throw commandSubstitution();
        default:
          word.append(c);
          i++;
      }
    }
    if (inWord) {
      words.add(new Word(word.toString(), usedUnknown));
    }
    return words;
  }

  /** From after the opening quote to after the closing one. */
  private void doubleQuoted(StringBuilder word) {
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '"') {
        i++;
        return;
      }
      if (c == '\\' && i + 1 < text.length() && "\"\\$`".indexOf(text.charAt(i + 1)) >= 0) {
        word.append(text.charAt(i + 1));
        i += 2;
      } else if (c == '$') {
        dollar(word);
      } else if (c == '`') {
        throw commandSubstitution();
      } else {
        word.append(c);
        i++;
      }
    }
    throw new IllegalArgumentException("unterminated \" quote");
  }

  /** At a {@code $}: a variable, or a plain dollar sign when no name follows. */
  private void dollar(StringBuilder word) {
    int next = i + 1;
    char c = next < text.length() ? text.charAt(next) : ' ';
    if (c == '{') {
      int close = text.indexOf('}', next);
      if (close < 0) {
        throw new IllegalArgumentException("unterminated ${");
      }
      int start = i;
      word.append(braced(text.substring(next + 1, close)));
      i = close + 1;
      unknown(word, start);
    } else if (isNameStart(c)) {
      int end = next;
      while (end < text.length() && isNamePart(text.charAt(end))) {
        end++;
      }
      int start = i;
      word.append(value(text.substring(next, end)));
      i = end;
      unknown(word, start);
    } else if (c == '(') {
      throw commandSubstitution();
    } else if (Character.isDigit(c) || "@*#?$!-".indexOf(c) >= 0) {
      throw new IllegalArgumentException(
          "$" + c + ": only environment variables ($NAME, ${NAME}) expand in #OFFLOAD lines");
    } else {
      word.append('$');
      i++;
    }
  }

  /** Without an environment: the variable stays as written and marks its word. */
  private void unknown(StringBuilder word, int start) {
    if (env.isEmpty()) {
      word.append(text, start, i);
      usedUnknown = true;
    }
  }

  /** The inside of {@code ${...}}: {@code NAME} or {@code NAME:-default}. */
  private String braced(String inside) {
    int end = 0;
    while (end < inside.length()
        && (end == 0 ? isNameStart(inside.charAt(end)) : isNamePart(inside.charAt(end)))) {
      end++;
    }
    String name = inside.substring(0, end);
    String rest = inside.substring(end);
    if (name.isEmpty() || !(rest.isEmpty() || rest.startsWith(":-"))) {
      throw new IllegalArgumentException("${" + inside + "}: expected ${NAME} or ${NAME:-default}");
    }
    if (rest.isEmpty()) {
      return value(name);
    }
    if (env.isEmpty()) {
      return "";
    }
    String value = env.get().get(name);
    return value == null || value.isEmpty() ? rest.substring(2) : value;
  }

  private String value(String name) {
    if (env.isEmpty()) {
      return "";
    }
    String value = env.get().get(name);
    if (value != null) {
      return value;
    }
    String hint =
        name.equals("index") || name.equals("count")
            ? " (the task's index and count are written {index} and {count}, without $)"
            : " (write ${" + name + ":-VALUE} for a default)";
    throw new IllegalArgumentException("environment variable " + name + " is not set" + hint);
  }

  private static IllegalArgumentException commandSubstitution() {
    return new IllegalArgumentException(
        "#OFFLOAD lines run no commands: $(...) and `...` are not supported; export a variable"
            + " (before sbatch, or in the script before surge offload runs) and write $NAME");
  }

  private static boolean isNameStart(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isNamePart(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
  }
}
