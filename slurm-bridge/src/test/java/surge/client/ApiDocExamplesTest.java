package surge.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The records must read and write the JSON examples of docs/api.md itself, so that a change to the
 * documented API that the client misses fails here.
 */
class ApiDocExamplesTest {
  private static final Path API_DOC = Path.of("..", "docs", "api.md");
  private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);

  private static String doc;

  @BeforeAll
  static void readDoc() throws Exception {
    doc = Files.readString(API_DOC);
  }

  @Test
  void theJobSpecExampleReadsIntoAJobSpec() throws Exception {
    JobSpec spec = JsonCodec.jobSpec(jsonBlockAfter("`POST /api/jobs`"));

    assertThat(spec.name()).isEqualTo("montecarlo-pi");
    assertThat(spec.kernel()).isEqualTo("<sha256 of an uploaded kernel>");
    assertThat(spec.tasks()).isEqualTo(16);
    assertThat(spec.input())
        .isEqualTo(new JobSpec.Input("<sha256 of an uploaded input>", JobSpec.Split.LINES));
    assertThat(spec.args()).containsExactly("200000", "{index}");
    assertThat(spec.env()).containsExactly(Map.entry("MODE", "fast"));
    assertThat(spec.merge()).isEqualTo(JobSpec.Merge.of(JobSpec.MergeKind.SUM));
    assertThat(spec.priority()).isZero();
    assertThat(spec.deadline()).isEqualTo(Instant.parse("2026-11-23T18:00:00Z"));
    assertThat(spec.slurmJobId()).isEqualTo("1234");
    assertThat(spec.taskTimeout()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(spec.verify()).isEqualTo("adaptive");
    assertThat(spec.verifyError()).isEqualTo(1e-4);
    assertThat(spec.compare()).isEqualTo("bytes");
  }

  @Test
  void aJobSpecWritesTheExampleBackFieldForField() throws Exception {
    JsonNode example = Json.mapper().readTree(jsonBlockAfter("`POST /api/jobs`"));
    JobSpec spec =
        JobSpec.builder("<sha256 of an uploaded kernel>", 16)
            .name("montecarlo-pi")
            .input("<sha256 of an uploaded input>", JobSpec.Split.LINES)
            .args(List.of("200000", "{index}"))
            .env(Map.of("MODE", "fast"))
            .merge(JobSpec.Merge.of(JobSpec.MergeKind.SUM))
            .priority(0)
            .deadline(Instant.parse("2026-11-23T18:00:00Z"))
            .slurmJobId("1234")
            .taskTimeout(java.time.Duration.ofMinutes(10))
            .verify("adaptive")
            .verifyError(1e-4)
            .compare("bytes")
            .build();

    JsonNode written = Json.mapper().readTree(JsonCodec.toJson(spec));

    assertThat(written).isEqualTo(example);
  }

  @Test
  void aMinimalJobSpecLeavesOptionalFieldsOut() throws Exception {
    JsonNode json = Json.mapper().readTree(JsonCodec.toJson(JobSpec.builder("abc", 3).build()));

    assertThat(json)
        .isEqualTo(Json.mapper().createObjectNode().put("kernel", "abc").put("tasks", 3));
  }

  @Test
  void aReduceMergeNamesItsReducerKernel() throws Exception {
    JsonNode json =
        Json.mapper()
            .readTree(
                JsonCodec.toJson(
                    JobSpec.builder("abc", 3).merge(JobSpec.Merge.reduce("def")).build()));

    assertThat(json.get("merge").get("kind").asText()).isEqualTo("reduce");
    assertThat(json.get("merge").get("kernel").asText()).isEqualTo("def");
  }

  @Test
  void theStatusExampleReadsIntoAJobStatus() throws Exception {
    // The example elides the timestamps as "…"; they are ISO-8601 instants.
    String example =
        jsonBlockAfter("`GET /api/jobs/{id}`").replace("\"…\"", "\"2026-11-23T17:00:00Z\"");

    JobStatus status = JsonCodec.jobStatus(example);

    assertThat(status.id()).isEqualTo("j-000042");
    assertThat(status.label()).contains("montecarlo-pi");
    assertThat(status.state()).isEqualTo(JobState.RUNNING);
    assertThat(status.tasks()).isEqualTo(new JobStatus.TaskCounts(16, 4, 4, 8, 0));
    assertThat(status.createdAt()).isEqualTo(Instant.parse("2026-11-23T17:00:00Z"));
    assertThat(status.finishedAt()).isNull();
    assertThat(status.resultSize()).isNull();
    assertThat(status.failure()).isEmpty();
  }

  @Test
  void theFailedJobErrorExampleReadsIntoAFailure() throws Exception {
    Matcher m = Pattern.compile("A failed job\\s+has `error`: `(\\{.*?\\})`").matcher(doc);
    assertThat(m.find()).as("the error example in %s", API_DOC).isTrue();

    JobStatus.Failure failure = JsonCodec.failure(m.group(1));

    assertThat(failure.message())
        .startsWith("task 3 failed on 3 distinct volunteers (SURGE_MAX_FAILURES=3): ")
        .endsWith("v-9c0d1e2f exited with code 2");
    assertThat(failure.task()).isEqualTo(3);
    assertThat(failure.exitCode()).isEqualTo(2);
    assertThat(failure.stderr()).contains("…");
  }

  @Test
  void everyDocumentedStateIsAJobState() {
    Matcher m =
        Pattern.compile("`state` is one of (.*?)\\. A failed").matcher(doc.replace('\n', ' '));
    assertThat(m.find()).isTrue();

    List<String> documented =
        Pattern.compile("`([A-Z]+)`").matcher(m.group(1)).results().map(r -> r.group(1)).toList();

    assertThat(documented)
        .containsExactlyInAnyOrderElementsOf(
            java.util.Arrays.stream(JobState.values()).map(Enum::name).toList());
  }

  private static String jsonBlockAfter(String heading) {
    int at = doc.indexOf(heading);
    assertThat(at).as("%s in %s", heading, API_DOC).isNotNegative();
    Matcher m = JSON_BLOCK.matcher(doc);
    assertThat(m.find(at)).as("a json block after %s", heading).isTrue();
    return m.group(1);
  }
}
