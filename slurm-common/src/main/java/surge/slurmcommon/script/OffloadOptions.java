package surge.slurmcommon.script;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import surge.slurmcommon.script.ScriptWords.Word;

/**
 * The few {@code #OFFLOAD} options the server's rescuer needs, read from a pending job's batch
 * script with the launcher's grammar ({@link OffloadLines}, {@link ScriptWords}, {@link
 * Durations}), but without the job's environment: a value that takes a variable is not known here
 * and counts as absent, with a problem, as does one that does not parse. Options are {@code
 * --name=value} or {@code --name value}, as the launcher's parser reads them. A script whose lines
 * cannot be split (which the launcher refuses) gives no options and one problem.
 *
 * @param rescueAfter {@code --rescue-after}, when given as a positive duration
 * @param kernel {@code --kernel} as written (a path, relative to the job's working directory)
 * @param tasks {@code --tasks}, when positive
 * @param deadline {@code --deadline}, when given as a duration
 * @param deadlineAt {@code --deadline}, when given as an ISO-8601 instant
 * @param problems why a value could not be read; each starts with the option or {@code #OFFLOAD}
 */
public record OffloadOptions(
    Optional<Duration> rescueAfter,
    Optional<String> kernel,
    OptionalInt tasks,
    Optional<Duration> deadline,
    Optional<Instant> deadlineAt,
    List<String> problems) {

  public OffloadOptions {
    problems = List.copyOf(problems);
  }

  /** True when the script opted in: it names {@code --rescue-after} (readable or not). */
  public boolean optedIn() {
    return rescueAfter.isPresent() || problems.stream().anyMatch(p -> p.startsWith("--rescue"));
  }

  /** Reads the batch script {@code script}. */
  public static OffloadOptions read(String script) {
    List<Word> words;
    try {
      words = OffloadLines.read("job script", script, Optional.empty()).words();
    } catch (InvalidScript e) {
      String problem = "#OFFLOAD lines: " + e.getMessage() + " (the launcher refuses them)";
      return new OffloadOptions(
          Optional.empty(),
          Optional.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          Optional.empty(),
          script.contains("--rescue-after")
              ? List.of("--rescue-after: " + problem)
              : List.of(problem));
    }
    List<String> problems = new ArrayList<>();
    Optional<Duration> rescueAfter =
        known(words, "--rescue-after", problems)
            .flatMap(t -> duration("--rescue-after", t, problems));
    Optional<Duration> deadline = Optional.empty();
    Optional<Instant> deadlineAt = Optional.empty();
    Optional<String> deadlineText = known(words, "--deadline", problems);
    if (deadlineText.isPresent()) {
      String t = deadlineText.get();
      if (Durations.looksLikeDuration(t)) {
        deadline = duration("--deadline", t, problems);
      } else {
        deadlineAt = instant(t, problems);
      }
    }
    OptionalInt tasks = OptionalInt.empty();
    Optional<String> taskText = known(words, "--tasks", problems);
    if (taskText.isPresent()) {
      try {
        int n = Integer.parseInt(taskText.get());
        if (n > 0) {
          tasks = OptionalInt.of(n);
        } else {
          problems.add("--tasks: '" + taskText.get() + "' is not positive");
        }
      } catch (NumberFormatException e) {
        problems.add("--tasks: '" + taskText.get() + "' is not a number");
      }
    }
    Optional<String> kernel = known(words, "--kernel", problems);
    return new OffloadOptions(rescueAfter, kernel, tasks, deadline, deadlineAt, problems);
  }

  /** The value of {@code option}, unless it takes the job's environment. */
  private static Optional<String> known(List<Word> words, String option, List<String> problems) {
    Optional<Word> word = value(words, option);
    if (word.isPresent() && word.get().fromEnvironment()) {
      problems.add(option + ": '" + word.get().text() + "' takes the job's environment");
      return Optional.empty();
    }
    return word.map(Word::text);
  }

  /** The last value of {@code option} (the launcher refuses a repeated one anyway). */
  private static Optional<Word> value(List<Word> words, String option) {
    Optional<Word> found = Optional.empty();
    for (int i = 0; i < words.size(); i++) {
      Word w = words.get(i);
      if (w.text().startsWith(option + "=")) {
        found = Optional.of(new Word(w.text().substring(option.length() + 1), w.fromEnvironment()));
      } else if (w.text().equals(option) && i + 1 < words.size()) {
        found = Optional.of(words.get(++i));
      }
    }
    return found;
  }

  private static Optional<Duration> duration(String option, String text, List<String> problems) {
    try {
      return Optional.of(Durations.positive(text));
    } catch (IllegalArgumentException e) {
      problems.add(option + ": '" + text + "' is not a duration: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<Instant> instant(String text, List<String> problems) {
    try {
      return Optional.of(OffsetDateTime.parse(text.strip()).toInstant());
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(Instant.parse(text.strip()));
      } catch (DateTimeParseException e2) {
        problems.add("--deadline: '" + text + "' is not a duration or an ISO-8601 instant");
        return Optional.empty();
      }
    }
  }
}
