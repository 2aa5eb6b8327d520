package surge.slurmcommon.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import surge.slurmcommon.Golden;

/**
 * The job scripts of {@code golden/scripts} read by the rescuer ({@link OffloadOptions}) as
 * expected. The launcher's reading of the same scripts is checked in slurm-bridge ({@code
 * GoldenScriptsLauncherTest}): where it accepts a script, it reads the same values.
 */
class GoldenScriptsTest {
  static Stream<Path> scripts() {
    return Golden.scripts().stream();
  }

  static Map<String, List<String>> expected(Path script) {
    return Golden.expected(Path.of(script.toString().replaceAll("\\.sh$", ".expected")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scripts")
  void theRescuerReadsAsExpected(Path script) throws Exception {
    Map<String, List<String>> expected = expected(script);
    OffloadOptions o = OffloadOptions.read(Golden.read(script));

    assertThat(o.rescueAfter()).isEqualTo(one(expected, "rescueAfter").map(Duration::parse));
    assertThat(o.kernel()).isEqualTo(one(expected, "kernel"));
    assertThat(o.tasks().isPresent() ? Optional.of("" + o.tasks().getAsInt()) : Optional.empty())
        .isEqualTo(one(expected, "tasks"));
    assertThat(o.deadline()).isEqualTo(one(expected, "deadline").map(Duration::parse));
    assertThat(o.deadlineAt()).isEqualTo(one(expected, "deadlineAt").map(Instant::parse));
    assertThat(o.optedIn()).isEqualTo(Boolean.parseBoolean(expected.get("optedIn").get(0)));
    assertThat(o.problems())
        .containsExactlyInAnyOrderElementsOf(expected.getOrDefault("problem", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scripts")
  void theLinesAndWordsAreAsExpected(Path script) throws Exception {
    Map<String, List<String>> expected = expected(script);
    OffloadLines lines;
    try {
      lines = OffloadLines.read("job.sh", Golden.read(script), Optional.empty());
    } catch (InvalidScript e) {
      // A line that cannot be split: the launcher refuses it with this message too.
      assertThat("refused: " + e.getMessage()).startsWith(expected.get("launcher").get(0));
      return;
    }

    assertThat(lines.warnings())
        .containsExactlyElementsOf(expected.getOrDefault("warning", List.of()));
    if (expected.containsKey("words")) {
      assertThat(lines.words().stream().map(ScriptWords.Word::text).toList())
          .containsExactly(expected.get("words").get(0).split("\\|"));
    }
  }

  private static Optional<String> one(Map<String, List<String>> expected, String key) {
    return Optional.ofNullable(expected.get(key)).map(v -> v.get(0));
  }
}
