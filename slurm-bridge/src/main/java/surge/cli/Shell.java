package surge.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What a command sees of the process it runs in. Tests pass their own streams, environment, clock
 * and polling pace instead of the real ones.
 *
 * @param out stdout; results are written to it as bytes, never through a charset
 * @param err stderr: messages and the progress bar
 * @param terminal whether a person watches, so the progress bar may redraw itself
 * @param workingDirectory the process's current directory: in a Slurm job, the job's working
 *     directory ({@code sbatch --chdir}, by default the submit directory)
 */
public record Shell(
    PrintStream out,
    PrintStream err,
    Map<String, String> env,
    boolean terminal,
    Clock clock,
    Polling polling,
    Path workingDirectory) {

  public static Shell system() {
    return new Shell(
        System.out,
        System.err,
        System.getenv(),
        System.console() != null,
        Clock.systemUTC(),
        Polling.DEFAULT,
        Path.of("").toAbsolutePath());
  }

  public Optional<String> env(String name) {
    return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
  }

  /**
   * How {@code --wait} polls the job status.
   *
   * @param interval between polls while the server answers
   * @param maxBackoff the longest pause between polls while the server does not answer
   * @param giveUpAfter how long the server may stay unreachable before {@code surge} gives up
   */
  public record Polling(Duration interval, Duration maxBackoff, Duration giveUpAfter) {
    public static final Polling DEFAULT =
        new Polling(Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(60));
  }
}
