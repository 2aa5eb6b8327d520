package surge.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import surge.api.Problem;

/**
 * Any body of {@code POST /api/jobs} gives a job or a {@link Problem} (a 4xx naming the field);
 * nothing else may escape, as that would be a 500.
 */
public class JobSpecFuzzTest {
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

  public static void fuzzerTestOneInput(byte[] input) {
    String body = new String(input, StandardCharsets.UTF_8);
    try {
      JobSpec spec = JobSpec.parse(body, 1_000_000, NOW);
      assertThat(spec.tasks()).isBetween(1, 1_000_000);
      assertThat(spec.kernel()).hasSize(64);
    } catch (Problem p) {
      assertThat(p.status()).as(p.getMessage()).isBetween(400, 499);
      assertThat(p.getMessage()).isNotBlank();
    }
  }

  @FuzzTest(maxDuration = "5s")
  @DictionaryEntries({
    "\"name\"",
    "\"kernel\"",
    "\"tasks\"",
    "\"input\"",
    "\"args\"",
    "\"env\"",
    "\"merge\"",
    "\"priority\"",
    "\"deadline\"",
    "\"slurmJobId\"",
    "\"kind\"",
    "\"split\"",
    "\"sha256\"",
    "\"reducer\"",
    "\"concat\"",
    "\"sum\"",
    "\"reduce\"",
    "\"lines\"",
    "\"bytes\"",
    "\"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\"",
    "\"2026-12-03T13:00:00Z\""
  })
  void everyBodyIsAJobOrAProblem(byte[] input) {
    fuzzerTestOneInput(input);
  }
}
