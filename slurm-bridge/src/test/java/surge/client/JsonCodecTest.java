package surge.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
  @Test
  void aNewerServersExtraFieldsAreIgnored() {
    JobStatus s =
        JsonCodec.jobStatus(
            "{\"id\":\"j-1\",\"state\":\"SUCCEEDED\",\"shiny\":{\"a\":[1,2]},"
                + "\"tasks\":{\"total\":2,\"done\":2,\"later\":7},\"resultSize\":12,"
                + "\"finishedAt\":\"2026-11-23T17:00:00.123456Z\"}");
    assertThat(s.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(s.tasks()).isEqualTo(new JobStatus.TaskCounts(2, 0, 0, 2, 0));
    assertThat(s.resultSize()).isEqualTo(12L);
    assertThat(s.finishedAt()).isEqualTo(Instant.parse("2026-11-23T17:00:00.123456Z"));
  }

  @Test
  void nullFieldsReadAsAbsent() {
    JobStatus s =
        JsonCodec.jobStatus(
            "{\"id\":\"j-1\",\"name\":null,\"state\":\"QUEUED\",\"error\":null,"
                + "\"startedAt\":null,\"resultSize\":null}");
    assertThat(s.label()).isEmpty();
    assertThat(s.failure()).isEmpty();
    assertThat(s.startedAt()).isNull();
    assertThat(s.resultSize()).isNull();
  }

  @Test
  void theJobListMayComeBareOrWrapped() {
    String job = "{\"id\":\"j-1\",\"state\":\"RUNNING\",\"slurmJobId\":\"42\"}";
    assertThat(JsonCodec.jobStatuses("[" + job + "]"))
        .singleElement()
        .satisfies(s -> assertThat(s.slurmJobId()).isEqualTo("42"));
    assertThat(JsonCodec.jobStatuses("{\"jobs\":[" + job + "," + job + "]}")).hasSize(2);
  }

  @Test
  void aSpecSurvivesTheRoundTripWithEveryField() {
    JobSpec spec =
        JobSpec.builder("k", 5)
            .name("n \"quoted\" ü")
            .input("i", JobSpec.Split.BYTES)
            .args(List.of("a b", "{index}"))
            .env(Map.of("K", "v=1"))
            .merge(JobSpec.Merge.reduce("r"))
            .priority(-3)
            .deadline(Instant.parse("2026-11-23T18:00:00Z"))
            .slurmJobId("7_3")
            .build();
    assertThat(JsonCodec.jobSpec(JsonCodec.toJson(spec))).isEqualTo(spec);
  }

  @Test
  void anUnknownStateOrAMalformedInstantIsAnError() {
    assertThatThrownBy(() -> JsonCodec.jobStatus("{\"id\":\"j\",\"state\":\"EXPLODED\"}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> JsonCodec.jobStatus("{\"id\":\"j\",\"state\":\"QUEUED\",\"createdAt\":\"noon\"}"))
        .hasMessageContaining("createdAt");
  }

  @Test
  void onlyTheDocumentedErrorObjectCountsAsAnError() {
    assertThat(JsonCodec.error("{\"error\":\"tasks must be positive\",\"field\":\"tasks\"}"))
        .hasValueSatisfying(e -> assertThat(e).containsExactly("tasks must be positive", "tasks"));
    assertThat(JsonCodec.error("<html>502 Bad Gateway</html>")).isEmpty();
    assertThat(JsonCodec.error("[1,2]")).isEmpty();
    assertThat(JsonCodec.error("{\"message\":\"x\"}")).isEmpty();
  }
}
