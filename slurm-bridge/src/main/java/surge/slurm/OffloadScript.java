package surge.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import surge.options.InvalidJobOption;
import surge.slurmcommon.script.InvalidScript;
import surge.slurmcommon.script.OffloadLines;
import surge.slurmcommon.script.OffloadLines.Directive;

/**
 * Reads the {@code #OFFLOAD} lines of a Slurm job script into a job. The lines follow the rules of
 * {@code #SBATCH}: a line counts only when it starts with exactly {@code #OFFLOAD} followed by a
 * blank, and reading stops at the first line that is neither blank nor a comment, as sbatch stops
 * at the first command ({@link OffloadLines}, shared with the server's rescuer; the grammar is
 * documented in {@code docs/offload-lines.md}). Each line's words (shell quoting, {@code $VAR}) are
 * options of {@code surge submit}, parsed by the same picocli definitions; relative paths are
 * relative to the job's working directory. Every error names the script and the line.
 */
public final class OffloadScript {
  public static final String DIRECTIVE = OffloadLines.DIRECTIVE;

  private final String label;
  private final List<Directive> directives = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  private OffloadScript(String label) {
    this.label = label;
  }

  /** Reads {@code script}; its path, as given, names it in messages. */
  public static OffloadJob read(Path script, Map<String, String> env, Path workDir, Clock clock)
      throws InvalidScript {
    return read(script, script.toString(), env, workDir, clock);
  }

  /** Reads {@code script}, called {@code label} in messages. */
  public static OffloadJob read(
      Path script, String label, Map<String, String> env, Path workDir, Clock clock)
      throws InvalidScript {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(script);
    } catch (NoSuchFileException e) {
      throw new InvalidScript(script + ": cannot read the job script: no such file");
    } catch (AccessDeniedException e) {
      throw new InvalidScript(script + ": cannot read the job script: permission denied");
    } catch (IOException e) {
      throw new InvalidScript(script + ": cannot read the job script: " + e.getMessage());
    }
    return parse(label, new String(bytes, StandardCharsets.UTF_8), env, workDir, clock);
  }

  /**
   * Parses the text of a script called {@code label} in messages.
   *
   * @param env the variables that {@code $NAME} expands from
   * @param workDir what relative paths are relative to
   * @param clock the now of a {@code --deadline} given as a duration
   */
  public static OffloadJob parse(
      String label, String text, Map<String, String> env, Path workDir, Clock clock)
      throws InvalidScript {
    return new OffloadScript(label).parse(text, env, workDir, clock);
  }

  private OffloadJob parse(String text, Map<String, String> env, Path workDir, Clock clock)
      throws InvalidScript {
    List<String> ignored = collect(text, env);
    if (directives.isEmpty()) {
      throw new InvalidScript(
          ignored.isEmpty()
              ? label
                  + ": no #OFFLOAD lines; they go at the top, before the first command, like"
                  + " #SBATCH lines"
              : warnings.get(0));
    }
    List<String> all = new ArrayList<>();
    for (Directive directive : directives) {
      try {
        parser(new OffloadLine(), true).parseArgs(directive.texts().toArray(String[]::new));
      } catch (ParameterException e) {
        throw at(directive.line(), describe(e));
      }
      all.addAll(directive.texts());
    }
    OffloadLine line = new OffloadLine();
    try {
      parser(line, false).parseArgs(all.toArray(String[]::new));
    } catch (MissingParameterException e) {
      throw new InvalidScript(
          label + ":" + span() + ": the #OFFLOAD lines lack " + names(e.getMissing()));
    } catch (OverwrittenOptionException e) {
      String option = ((OptionSpec) e.getOverwritten()).longestName();
      List<Integer> lines = linesNaming(option);
      throw at(
          lines.get(lines.size() - 1),
          option + " is given again (first on line " + lines.get(0) + "); give it once");
    } catch (ParameterException e) {
      throw new InvalidScript(label + ":" + span() + ": " + describe(e));
    }
    line.job.resolveAgainst(workDir);
    try {
      line.job.check(clock);
    } catch (InvalidJobOption e) {
      throw at(lineOf(e.option(), e.value()), e.getMessage());
    }
    return new OffloadJob(line.job, Optional.ofNullable(line.rescueAfter), warnings);
  }

  /**
   * Finds the directives up to the first command ({@link OffloadLines}: the grammar shared with the
   * server's rescuer), splitting their words; answers the lines of directives after it, which are
   * ignored with a warning.
   */
  private List<String> collect(String text, Map<String, String> env) throws InvalidScript {
    OffloadLines lines = OffloadLines.read(label, text, Optional.of(env));
    directives.addAll(lines.directives());
    warnings.addAll(lines.warnings());
    return lines.warnings();
  }

  /**
   * A parser for the lines. {@code oneLine}: every option is optional, so that a single line can be
   * checked on its own (the kernel may be on another line).
   */
  private static CommandLine parser(OffloadLine target, boolean oneLine) {
    CommandSpec spec = CommandSpec.forAnnotatedObject(target);
    if (oneLine) {
      for (OptionSpec option : List.copyOf(spec.options())) {
        if (option.required()) {
          spec.remove(option);
          spec.addOption(option.toBuilder().required(false).build());
        }
      }
    }
    CommandLine parser = new CommandLine(spec);
    // A word like @file is an argument for the kernel, not a file of more options.
    parser.setExpandAtFiles(false);
    // As surge submit: --split=LINES is --split=lines.
    parser.setCaseInsensitiveEnumValuesAllowed(true);
    return parser;
  }

  private static String describe(ParameterException e) {
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
      String word = unmatched.getUnmatched().get(0);
      if (!word.startsWith("-")) {
        return "unexpected '" + word + "': #OFFLOAD lines hold options only (--arg=" + word + "?)";
      }
      String option = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
      List<String> suggestions = unmatched.getSuggestions();
      return "unknown option "
          + option
          + (suggestions.isEmpty()
              ? ""
              : " (did you mean " + String.join(" or ", suggestions) + "?)");
    }
    return e.getMessage();
  }

  private static String names(List<ArgSpec> missing) {
    return missing.stream()
        .map(a -> a instanceof OptionSpec o ? o.longestName() + "=" + o.paramLabel() : "" + a)
        .collect(Collectors.joining(" and "));
  }

  /** {@code 3} or {@code 3-5}: the lines of the directives. */
  private String span() {
    int first = directives.get(0).line();
    int last = directives.get(directives.size() - 1).line();
    return first == last ? "" + first : first + "-" + last;
  }

  private List<Integer> linesNaming(String option) {
    return directives.stream().filter(d -> d.names(option)).map(Directive::line).toList();
  }

  /**
   * The line that gave {@code option}: the first whose words hold {@code value} when one is given
   * (a repeatable option), else the last (where a single option's value comes from).
   */
  private int lineOf(String option, Optional<String> value) {
    List<Directive> naming = directives.stream().filter(d -> d.names(option)).toList();
    if (naming.isEmpty()) {
      return directives.get(0).line();
    }
    if (value.isPresent()) {
      for (Directive d : naming) {
        if (String.join(" ", d.texts()).contains(value.get())) {
          return d.line();
        }
      }
    }
    return naming.get(naming.size() - 1).line();
  }

  private InvalidScript at(int line, String message) {
    return new InvalidScript(label + ":" + line + ": " + message);
  }
}
