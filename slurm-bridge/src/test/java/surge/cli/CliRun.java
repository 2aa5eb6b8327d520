package surge.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code surge} in-process with captured streams, as a user at a non-terminal would. */
record CliRun(int exitCode, byte[] stdoutBytes, String stderr) {
  static final Instant NOW = Instant.parse("2026-11-23T17:00:00Z");
  static final Shell.Polling FAST =
      new Shell.Polling(Duration.ofMillis(5), Duration.ofMillis(40), Duration.ofMillis(400));

  static CliRun run(Map<String, String> env, String... args) {
    return run(Path.of("").toAbsolutePath(), env, args);
  }

  /**
   * The credential every run has unless its environment says otherwise: an API token, and a home
   * without a token file, so that no test depends on this machine's ~/.config or munged. A test of
   * the credential order blanks SURGE_TOKEN ({@code "SURGE_TOKEN", ""}) and gives its own HOME.
   */
  static final String TOKEN = "surge_testtoken";

  static final Path NO_HOME = Path.of("/nonexistent/surge-test-home");

  /** As {@link #run(Map, String...)} in {@code workingDirectory}, as a Slurm job starts in it. */
  static CliRun run(Path workingDirectory, Map<String, String> env, String... args) {
    Map<String, String> all = new HashMap<>();
    all.put("HOME", NO_HOME.toString());
    all.put("SURGE_TOKEN", TOKEN);
    all.putAll(env);
    return runExactly(workingDirectory, all, args);
  }

  /** With {@code env} and nothing added. */
  static CliRun runExactly(Path workingDirectory, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Shell shell =
        new Shell(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env,
            false,
            Clock.fixed(NOW, ZoneOffset.UTC),
            FAST,
            workingDirectory);
    int code = Surge.commandLine(shell).execute(args);
    return new CliRun(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  static CliRun run(String... args) {
    return run(Map.of(), args);
  }

  String stdout() {
    return new String(stdoutBytes, StandardCharsets.UTF_8);
  }
}
