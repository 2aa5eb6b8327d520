package surge.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import surge.slurmcommon.script.InvalidScript;
import surge.slurmcommon.script.OffloadOptions;

/**
 * The launcher reads the golden job scripts of {@code slurm-common/golden/scripts} as their {@code
 * expected} file says, and where it accepts one, it reads the same kernel, tasks, rescue delay and
 * deadline as the server's rescuer ({@link OffloadOptions}) wherever the rescuer could read them
 * without the job's environment: one grammar, read identically on both sides.
 */
class GoldenScriptsLauncherTest {
  private static final Instant NOW = Instant.parse("2026-11-23T17:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Path GOLDEN = Path.of("../slurm-common/golden/scripts").toAbsolutePath();

  @TempDir Path workDir;

  static Stream<Path> scripts() throws IOException {
    try (Stream<Path> files = Files.list(GOLDEN)) {
      return files.filter(p -> p.toString().endsWith(".sh")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scripts")
  void theLauncherAcceptsOrRefusesAndReadsWhatTheRescuerReads(Path script) throws Exception {
    Map<String, List<String>> expected = expected(script);
    String text = Files.readString(script);
    Map<String, String> env = new HashMap<>();
    for (String e : expected.getOrDefault("env", List.of())) {
      env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
    }
    env.put("SCRATCH", workDir.resolve("scratch").toString());
    Files.createDirectories(workDir.resolve("scratch"));
    for (String kernel :
        List.of("k.wasm", "mc/montecarlo.wasm", "my kernels/k.wasm", "scratch/k.wasm")) {
      Files.createDirectories(workDir.resolve(kernel).getParent());
      Files.write(workDir.resolve(kernel), new byte[] {0, 'a', 's', 'm'});
    }
    String verdict = expected.get("launcher").get(0);
    if (verdict.startsWith("refused: ")) {
      assertThatThrownBy(() -> OffloadScript.parse("job.sh", text, env, workDir, CLOCK))
          .isInstanceOf(InvalidScript.class)
          .hasMessageStartingWith(verdict.substring("refused: ".length()));
      return;
    }
    assertThat(verdict).isEqualTo("accepted");
    OffloadJob job = OffloadScript.parse("job.sh", text, env, workDir, CLOCK);
    OffloadOptions rescuer = OffloadOptions.read(text);

    assertThat(job.warnings())
        .containsExactlyElementsOf(expected.getOrDefault("warning", List.of()));
    rescuer.kernel().ifPresent(k -> assertThat(job.job().kernel()).isEqualTo(workDir.resolve(k)));
    rescuer.tasks().ifPresent(n -> assertThat(job.job().tasks()).isEqualTo(n));
    rescuer.rescueAfter().ifPresent(d -> assertThat(job.rescueAfter()).contains(d));
    rescuer.deadline().ifPresent(d -> assertThat(job.job().deadline()).contains(NOW.plus(d)));
    rescuer.deadlineAt().ifPresent(at -> assertThat(job.job().deadline()).contains(at));
    assertThat(rescuer.optedIn()).isEqualTo(job.rescueAfter().isPresent());
    // What the rescuer could not read came from the environment, never from a grammar difference.
    assertThat(rescuer.problems()).allMatch(p -> p.contains("takes the job's environment"));
  }

  private static Map<String, List<String>> expected(Path script) {
    Path file = Path.of(script.toString().replaceAll("\\.sh$", ".expected"));
    Map<String, List<String>> values = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          values
              .computeIfAbsent(line.substring(0, eq), k -> new java.util.ArrayList<>())
              .add(line.substring(eq + 1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return values;
  }
}
