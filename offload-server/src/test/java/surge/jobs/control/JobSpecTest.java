package surge.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import surge.api.Problem;

/** The job's name is shown to people, so the characters that act on terminals are refused. */
class JobSpecTest {
  private static final String SHA = "a".repeat(64);
  private static final Instant NOW = Instant.parse("2026-12-03T15:00:00Z");

  private static String job(String field, String value) {
    return Json.createObjectBuilder()
        .add("kernel", SHA)
        .add("tasks", 2)
        .add(field, value)
        .build()
        .toString();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "pi\u001b[2J",
        "pi\u0000",
        "pi\nsurge: job succeeded",
        "report\u202Efdp.exe",
        "x\u2066y",
        "del\u007f",
        "csi\u009b31m"
      })
  void aNameWithControlOrBidiCharactersIsRefusedNamingTheField(String name) {
    assertThatThrownBy(() -> JobSpec.parse(job("name", name), 100, NOW))
        .isInstanceOfSatisfying(
            Problem.class,
            p -> {
              assertThat(p.status()).isEqualTo(400);
              assertThat(p.field()).contains("name");
              assertThat(p.getMessage())
                  .startsWith("name may not hold control or bidirectional-override characters");
            });
  }

  @Test
  void theMessageSaysWhichCharacterAndWhere() {
    assertThatThrownBy(() -> JobSpec.parse(job("name", "ab\u202Ec"), 100, NOW))
        .hasMessage(
            "name may not hold control or bidirectional-override characters, found U+202E at"
                + " character 3");
  }

  @Test
  void aSlurmJobIdWithANewlineIsRefusedToo() {
    assertThatThrownBy(() -> JobSpec.parse(job("slurmJobId", "12\n34"), 100, NOW))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.field()).contains("slurmJobId"));
  }

  @Test
  void ordinaryNamesInAnyScriptPass() {
    JobSpec spec = JobSpec.parse(job("name", "π Monte-Carlo (run 2) — Zürich 東京"), 100, NOW);

    assertThat(spec.name()).contains("π Monte-Carlo (run 2) — Zürich 東京");
  }
}
