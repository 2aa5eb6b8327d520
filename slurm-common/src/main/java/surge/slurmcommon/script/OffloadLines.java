package surge.slurmcommon.script;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import surge.slurmcommon.script.ScriptWords.Word;

/**
 * The {@code #OFFLOAD} lines of a job script, as {@code #SBATCH} lines are found: a line counts
 * only when it starts with exactly {@code #OFFLOAD} followed by a blank (or nothing), and reading
 * stops at the first line that is neither blank nor a comment, as sbatch stops at the first
 * command. Lines below it are ignored with a warning. Each line's words follow {@link ScriptWords}.
 * The launcher ({@code surge offload}) and the server's rescuer both read scripts here.
 *
 * @param directives the lines that count, in order
 * @param warnings lines that are ignored and why, each starting with {@code label:line:}
 */
public record OffloadLines(List<Directive> directives, List<String> warnings) {
  public static final String DIRECTIVE = "#OFFLOAD";

  /** One {@code #OFFLOAD} line (numbered from 1) and its words. */
  public record Directive(int line, List<Word> words) {
    public List<String> texts() {
      return words.stream().map(Word::text).toList();
    }

    /** Whether a word is {@code option} or {@code option=...}. */
    public boolean names(String option) {
      return words.stream()
          .anyMatch(w -> w.text().equals(option) || w.text().startsWith(option + "="));
    }
  }

  public OffloadLines {
    directives = List.copyOf(directives);
    warnings = List.copyOf(warnings);
  }

  /**
   * Finds the lines of {@code text}, a script called {@code label} in messages.
   *
   * @param env what {@code $NAME} expands from; empty where it is not known (words taking a value
   *     are then marked)
   * @throws InvalidScript when a line's words cannot be split (an unterminated quote, {@code
   *     $(...)}, an unset variable)
   */
  public static OffloadLines read(String label, String text, Optional<Map<String, String>> env)
      throws InvalidScript {
    List<Directive> directives = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    int firstCommand = 0;
    String[] lines = text.split("\n", -1);
    for (int n = 1; n <= lines.length; n++) {
      String line = lines[n - 1];
      line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      boolean directive = isDirective(line);
      if (firstCommand > 0) {
        if (directive) {
          warnings.add(
              label
                  + ":"
                  + n
                  + ": #OFFLOAD below the first command (line "
                  + firstCommand
                  + ") is ignored; #OFFLOAD lines go above it, like #SBATCH lines");
        }
      } else if (directive) {
        try {
          directives.add(
              new Directive(n, ScriptWords.words(line.substring(DIRECTIVE.length()), env)));
        } catch (IllegalArgumentException e) {
          throw new InvalidScript(label + ":" + n + ": " + e.getMessage());
        }
      } else if (!line.isBlank() && !line.stripLeading().startsWith("#")) {
        firstCommand = n;
      }
    }
    return new OffloadLines(directives, warnings);
  }

  /** Exactly {@code #OFFLOAD}, then a blank or the end of the line. */
  public static boolean isDirective(String line) {
    return line.startsWith(DIRECTIVE)
        && (line.length() == DIRECTIVE.length()
            || Character.isWhitespace(line.charAt(DIRECTIVE.length())));
  }

  /** Every word of every line, in order. */
  public List<Word> words() {
    return directives.stream().flatMap(d -> d.words().stream()).toList();
  }
}
