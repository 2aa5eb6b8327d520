package surge.rescue.control;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import surge.config.Durations;

/**
 * The few {@code #OFFLOAD} options the rescuer needs, read from a pending job's batch script.
 *
 * <p>The launcher ({@code surge offload}, in slurm-bridge: {@code OffloadScript}, {@code
 * ScriptWords}) defines the lines; the server must not depend on it, so this reader follows the
 * same rules in small: a line counts when it starts with exactly {@code #OFFLOAD} and a blank, and
 * reading stops at the first line that is neither blank nor a comment. Words split as a shell would
 * for quotes ({@code '...'}, {@code "..."}), backslashes and a {@code #} starting a comment.
 * Options are {@code --name=value} or {@code --name value}. A value holding {@code $} (expanded by
 * the launcher from the job's environment) is not known here and counts as absent, as does one that
 * does not parse: the rescuer then treats the job as the policy says for a missing value. The
 * launcher still checks every line itself when the job runs.
 *
 * @param rescueAfter {@code --rescue-after}, when given as a positive duration
 * @param kernel {@code --kernel} as written (a path, relative to the submit directory)
 * @param tasks {@code --tasks}
 * @param deadline {@code --deadline}, when given as a duration
 * @param problems why a value the rescuer needs could not be read
 */
public record OffloadOptions(
    Optional<Duration> rescueAfter,
    Optional<String> kernel,
    OptionalInt tasks,
    Optional<Duration> deadline,
    List<String> problems) {
  private static final String DIRECTIVE = "#OFFLOAD";

  /** True when the script opted in: it has an {@code --rescue-after} option (readable or not). */
  public boolean optedIn() {
    return rescueAfter.isPresent() || problems.stream().anyMatch(p -> p.startsWith("--rescue"));
  }

  public static OffloadOptions read(String script) {
    List<String> words = new ArrayList<>();
    for (String line : script.split("\n", -1)) {
      line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (line.startsWith(DIRECTIVE)
          && (line.length() == DIRECTIVE.length()
              || Character.isWhitespace(line.charAt(DIRECTIVE.length())))) {
        words.addAll(split(line.substring(DIRECTIVE.length())));
      } else if (!line.isBlank() && !line.stripLeading().startsWith("#")) {
        break;
      }
    }
    List<String> problems = new ArrayList<>();
    Optional<String> rescueText = value(words, "--rescue-after");
    Optional<Duration> rescueAfter =
        rescueText.flatMap(t -> duration("--rescue-after", t, problems));
    Optional<Duration> deadline =
        value(words, "--deadline").flatMap(t -> duration("--deadline", t, problems));
    OptionalInt tasks = OptionalInt.empty();
    Optional<String> taskText = value(words, "--tasks");
    if (taskText.isPresent()) {
      try {
        int n = Integer.parseInt(taskText.get());
        tasks = n > 0 ? OptionalInt.of(n) : OptionalInt.empty();
      } catch (NumberFormatException e) {
        problems.add("--tasks: '" + taskText.get() + "' is not a number the server can read");
      }
    }
    Optional<String> kernel = value(words, "--kernel");
    if (kernel.isPresent() && kernel.get().contains("$")) {
      problems.add("--kernel: '" + kernel.get() + "' takes the job's environment");
      kernel = Optional.empty();
    }
    return new OffloadOptions(rescueAfter, kernel, tasks, deadline, List.copyOf(problems));
  }

  /** The last value of {@code option} (the launcher refuses a repeated one anyway). */
  private static Optional<String> value(List<String> words, String option) {
    Optional<String> found = Optional.empty();
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (w.startsWith(option + "=")) {
        found = Optional.of(w.substring(option.length() + 1));
      } else if (w.equals(option) && i + 1 < words.size()) {
        found = Optional.of(words.get(++i));
      }
    }
    return found;
  }

  private static Optional<Duration> duration(String option, String text, List<String> problems) {
    if (!text.contains("$")) {
      try {
        Duration d = Durations.parse(text);
        if (!d.isNegative() && !d.isZero()) {
          return Optional.of(d);
        }
      } catch (RuntimeException e) {
        // reported below
      }
    }
    problems.add(option + ": '" + text + "' is not a duration the server can read (e.g. 30m)");
    return Optional.empty();
  }

  /** Shell-like words: quotes and backslashes; a {@code #} starting a word ends the line. */
  static List<String> split(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t') {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        continue;
      }
      if (c == '#' && !inWord) {
        break;
      }
      inWord = true;
      if (c == '\'' || c == '"') {
        int end = text.indexOf(c, i + 1);
        if (c == '"') {
          while (end > 0 && text.charAt(end - 1) == '\\') {
            end = text.indexOf(c, end + 1);
          }
        }
        if (end < 0) {
          end = text.length();
        }
        String quoted = text.substring(i + 1, end);
        word.append(c == '"' ? quoted.replaceAll("\\\\([\"\\\\$])", "$1") : quoted);
        i = end;
      } else if (c == '\\' && i + 1 < text.length()) {
        word.append(text.charAt(++i));
      } else {
        word.append(c);
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
