package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.array;
import static surge.it.Api.object;
import static surge.it.Api.text;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Jobs through the REST API of docs/api.md, against the built WAR on Payara Micro: inputs,
 * submission and its validation, status, result, cancel, deadline and the job list. Shares the
 * "rest" server with the other Rest*IT classes.
 */
class RestJobsIT extends RestApi {
  private String noopJob(int tasks) {
    String kernel = api.approvedKernel(TestKernels.wasm("noop"));
    return "{\"name\":\"it-noop\",\"kernel\":\"" + kernel + "\",\"tasks\":" + tasks + "}";
  }

  @Test
  void inputUploadAnswersItsAddress() throws Exception {
    byte[] input =
        ("line one\nline two " + UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));

    var first = api.post("/api/inputs", "application/octet-stream", input);
    assertThat(first.statusCode()).as(text(first)).isEqualTo(201);
    assertThat(object(first).getString("sha256")).isEqualTo(sha);
    assertThat(object(first).getInt("size")).isEqualTo(input.length);
    assertThat(api.post("/api/inputs", "application/octet-stream", input).statusCode())
        .isEqualTo(200);
  }

  @Test
  void submittedJobAnswers201WithLocationAndItsStatus() {
    var response = api.postJson("/api/jobs", noopJob(3));
    assertThat(response.statusCode()).as(text(response)).isEqualTo(201);
    JsonObject job = object(response);
    String id = job.getString("id");
    assertThat(id).matches("j-\\d{6}-[a-z2-9]{16}");
    assertThat(response.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/api/jobs/" + id));
    // No volunteer is connected: the job waits in the queue.
    assertThat(job.getString("state")).isEqualTo("QUEUED");
    assertThat(job.getString("name")).isEqualTo("it-noop");
    assertThat(job.getJsonObject("tasks").getInt("total")).isEqualTo(3);
    assertThat(job.getJsonObject("tasks").getInt("queued")).isEqualTo(3);
    assertThat(job.get("error")).isEqualTo(JsonValue.NULL);

    JsonObject status = api.status(id);
    assertThat(status.getString("id")).isEqualTo(id);
    assertThat(status.getString("state")).isEqualTo("QUEUED");
    assertThat(Instant.parse(status.getString("createdAt"))).isBefore(Instant.now().plusSeconds(5));
  }

  @Test
  void malformedJobSpecsAreRefusedNamingTheField() {
    String k = api.approvedKernel(TestKernels.wasm("noop"));
    String kernel = "\"kernel\":\"" + k + "\"";
    int jobsBefore = array(api.get("/api/jobs?limit=1000")).size();

    var soft = new SoftAssertions();
    for (String[] c :
        new String[][] {
          {"{" + kernel + ",\"tasks\":0}", "tasks", "between 1 and"},
          {"{" + kernel + ",\"tasks\":1,\"colour\":\"red\"}", "colour", "unknown field"},
          {"{" + kernel + ",\"tasks\":1,\"merge\":{\"kind\":\"median\"}}", "merge.kind", "median"},
          {"{\"kernel\":\"" + UNKNOWN_SHA + "\",\"tasks\":1}", "kernel", "no kernel"},
          {
            "{" + kernel + ",\"tasks\":1,\"merge\":{\"kind\":\"reduce\"}}",
            "merge.kernel",
            "required"
          },
          {
            "{" + kernel + ",\"tasks\":1,\"deadline\":\"2001-01-01T00:00:00Z\"}", "deadline", "past"
          },
          {
            "{" + kernel + ",\"tasks\":1,\"env\":{\"SURGE_TASK_INDEX\":\"7\"}}",
            "env.SURGE_TASK_INDEX",
            "set by Surge"
          },
          {
            "{"
                + kernel
                + ",\"tasks\":1,\"input\":{\"sha256\":\""
                + UNKNOWN_SHA
                + "\",\"split\":\"lines\"}}",
            "input.sha256",
            "no input"
          },
        }) {
      var response = api.postJson("/api/jobs", c[0]);
      soft.assertThat(response.statusCode()).as("%s -> %s", c[0], text(response)).isEqualTo(400);
      JsonObject error = object(response);
      soft.assertThat(error.getString("field", null)).as(c[0]).isEqualTo(c[1]);
      soft.assertThat(error.getString("error", "")).as(c[0]).contains(c[2]);
    }
    // Bad JSON: no single field is to blame, so the error names none (docs/api.md).
    var badJson = api.postJson("/api/jobs", "{" + kernel + ",\"tasks\":");
    soft.assertThat(badJson.statusCode()).as(text(badJson)).isEqualTo(400);
    soft.assertThat(object(badJson).getString("error", "")).contains("not valid JSON");
    soft.assertAll();

    assertThat(array(api.get("/api/jobs?limit=1000"))).as("no job was created").hasSize(jobsBefore);
  }

  @Test
  void unknownJobIs404() {
    assertThat(api.get("/api/jobs/j-999999").statusCode()).isEqualTo(404);
    assertThat(api.get("/api/jobs/j-999999/result").statusCode()).isEqualTo(404);
    assertThat(api.get("/api/jobs/nonsense").statusCode()).isEqualTo(404);
    var cancel = api.post("/api/jobs/j-999999/cancel", "application/json", new byte[0]);
    assertThat(cancel.statusCode()).isEqualTo(404);
    assertThat(object(cancel).getString("error")).contains("j-999999");
  }

  @Test
  void resultOfAnUnfinishedJobIs409() {
    String id = api.submit(noopJob(2)).getString("id");
    var result = api.get("/api/jobs/" + id + "/result");
    assertThat(result.statusCode()).isEqualTo(409);
    assertThat(object(result).getString("error")).contains("QUEUED");
  }

  @Test
  void aCancelledQueuedJobStaysCancelled() {
    String spec = noopJob(5);
    // A read straight after the cancel once raced the journal's write and found the job QUEUED
    // again, a few times in a hundred: try often enough to catch that.
    String id = null;
    for (int i = 0; i < 40; i++) {
      id = api.submit(spec).getString("id");
      var cancel = api.post("/api/jobs/" + id + "/cancel", "application/json", new byte[0]);
      assertThat(cancel.statusCode()).as(text(cancel)).isEqualTo(200);
      assertThat(object(cancel).getString("state")).isEqualTo("CANCELLED");
      JsonObject status = api.status(id);
      assertThat(status.getString("state"))
          .as("read after cancel %d: %s", i, status)
          .isEqualTo("CANCELLED");
      assertThat(status.getJsonObject("tasks").getInt("queued")).isZero();
    }
    for (int i = 0; i < 10; i++) {
      Api.sleep(100);
      assertThat(api.status(id).getString("state")).isEqualTo("CANCELLED");
    }
    var again = api.post("/api/jobs/" + id + "/cancel", "application/json", new byte[0]);
    assertThat(object(again).getString("state")).isEqualTo("CANCELLED");
    assertThat(api.get("/api/jobs/" + id + "/result").statusCode()).isEqualTo(409);
    String last = id;
    var cancelled = array(api.get("/api/jobs?state=CANCELLED&limit=1000"));
    assertThat(cancelled.getValuesAs(JsonObject.class))
        .anySatisfy(j -> assertThat(j.getString("id")).isEqualTo(last));
  }

  @Test
  void aJobNotFinishedByItsDeadlineFails() {
    // Whole seconds: the server keeps the instant as the database stores it (microseconds).
    String deadline = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS).toString();
    String spec = noopJob(2).replace("}", ",\"deadline\":\"" + deadline + "\"}");
    String id = api.submit(spec).getString("id");

    JsonObject failed = api.awaitState(id, "FAILED", Duration.ofSeconds(15));
    assertThat(failed.getJsonObject("error").getString("message")).contains("deadline passed");
    assertThat(failed.getString("deadline")).isEqualTo(deadline);
  }

  @Test
  void jobListShowsRecentJobsNewestFirst() {
    String older = api.submit(noopJob(1)).getString("id");
    String newer = api.submit(noopJob(1)).getString("id");

    var all = array(api.get("/api/jobs")).getValuesAs(JsonObject.class);
    assertThat(all).extracting(j -> j.getString("id")).startsWith(newer, older);

    var limited = array(api.get("/api/jobs?state=QUEUED&limit=1")).getValuesAs(JsonObject.class);
    assertThat(limited).extracting(j -> j.getString("id")).containsExactly(newer);

    var bad = api.get("/api/jobs?state=SLEEPING");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(object(bad).getString("field")).isEqualTo("state");
  }
}
