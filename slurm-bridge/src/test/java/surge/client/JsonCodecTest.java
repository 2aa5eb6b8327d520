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
            .verify("replicate=3")
            .verifyError(1e-6)
            .compare("kernel:ab12")
            .build();
    assertThat(JsonCodec.jobSpec(JsonCodec.toJson(spec))).isEqualTo(spec);
  }

  @Test
  void verificationFieldsAreFlatAndLeftOutWhenUnset() {
    String json =
        JsonCodec.toJson(
            JobSpec.builder("k", 2)
                .verify("adaptive")
                .verifyError(1e-4)
                .compare("numeric:1e-9")
                .build());
    var o = JsonCodec.value(json).asJsonObject();
    assertThat(o.getString("verify")).isEqualTo("adaptive");
    assertThat(o.getJsonNumber("verifyError").doubleValue()).isEqualTo(1e-4);
    assertThat(o.getString("compare")).isEqualTo("numeric:1e-9");
    assertThat(JsonCodec.toJson(JobSpec.builder("k", 2).build()))
        .doesNotContain("verify")
        .doesNotContain("compare");
  }

  @Test
  void theVerificationSummaryIsReadAsSent() {
    JobStatus s =
        JsonCodec.jobStatus(
            "{\"id\":\"j-1\",\"state\":\"SUCCEEDED\",\"verification\":{\"mode\":\"adaptive\","
                + "\"targetError\":1e-4,\"compare\":\"bytes\",\"tasksAccepted\":720,"
                + "\"results\":850,\"serverRuns\":4,\"work\":1.18,\"spotChecks\":40,"
                + "\"disagreements\":3,\"blacklisted\":1,\"summary\":\"verified: 720 tasks,"
                + " 1.18\u00d7 work, 3 disagreements, 1 volunteer blacklisted\"}}");
    assertThat(s.verificationSummary())
        .contains("verified: 720 tasks, 1.18× work, 3 disagreements, 1 volunteer blacklisted");
  }

  @Test
  void aServerWithoutVerificationOrSummaryIsTolerated() {
    assertThat(JsonCodec.jobStatus("{\"id\":\"j-1\",\"state\":\"RUNNING\"}").verificationSummary())
        .isEmpty();
    assertThat(
            JsonCodec.jobStatus("{\"id\":\"j-1\",\"state\":\"RUNNING\",\"verification\":null}")
                .verificationSummary())
        .isEmpty();
    assertThat(
            JsonCodec.jobStatus(
                    "{\"id\":\"j-1\",\"state\":\"RUNNING\",\"verification\":{\"mode\":\"none\"}}")
                .verificationSummary())
        .isEmpty();
    assertThat(
            JsonCodec.jobStatus(
                    "{\"id\":\"j-1\",\"state\":\"RUNNING\",\"verification\":\"adaptive\"}")
                .verificationSummary())
        .isEmpty();
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
