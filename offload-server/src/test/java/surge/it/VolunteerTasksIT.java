package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.eventually;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tasks over the volunteer protocol (protocol/PROTOCOL.md) on {@code /volunteer}: leases, results,
 * merges and reducers, failures, late and duplicate results, releases, closed connections and
 * cancels. The test is the volunteer: it runs each task with the kernel's native build and sends
 * the results, with the JDK WebSocket client against the built WAR on Payara Micro; shares the
 * "volunteer" server with the other Volunteer*IT classes.
 */
class VolunteerTasksIT extends VolunteerSessions {

  private static byte[] nativeWholeJob(String program, String... args) {
    var run = NativeRun.run(program, List.of(args), Map.of(), new byte[0]);
    assertThat(run.exitCode()).as("%s %s", program, List.of(args)).isZero();
    return run.stdout();
  }

  @Test
  void aMontecarloJobRunByThisVolunteerEqualsTheNativeWholeJob() {
    String kernel = api.kernel(TestKernels.wasm("montecarlo"));
    var volunteer = connect();
    long leaseMs = volunteer.hello(api.consentToken()).getJsonNumber("leaseMs").longValue();
    // Demand first: the job must reach the volunteer without another request.
    volunteer.request(6);
    long submitted = System.currentTimeMillis();
    String id =
        api.submit(
                "{\"kernel\":\""
                    + kernel
                    + "\",\"tasks\":6,\"args\":[\"200000\"],"
                    + "\"merge\":{\"kind\":\"sum\"}}")
            .getString("id");

    List<JsonObject> tasks = volunteer.awaitTasks(6, WAIT);
    assertThat(indices(tasks)).containsExactly(0, 1, 2, 3, 4, 5);
    for (JsonObject t : tasks) {
      String index = Integer.toString(t.getInt("index"));
      assertThat(t.keySet())
          .containsExactlyInAnyOrder(
              "job",
              "index",
              "lease",
              "kernel",
              "args",
              "env",
              "stdin",
              "leaseExpires",
              "timeoutMs");
      assertThat(t.getString("job")).isEqualTo(id);
      assertThat(t.getString("kernel")).isEqualTo(kernel);
      assertThat(t.getJsonArray("args").getValuesAs(JsonString.class))
          .extracting(JsonString::getString)
          .containsExactly("200000");
      assertThat(t.getJsonObject("env"))
          .containsEntry("SURGE_TASK_INDEX", Json.createValue(index))
          .containsEntry("SURGE_TASK_COUNT", Json.createValue("6"));
      assertThat(t.getString("stdin")).isEmpty();
      assertThat(t.getJsonNumber("lease").longValueExact()).isNotNegative();
      assertThat(t.getJsonNumber("leaseExpires").longValueExact())
          .isBetween(submitted, System.currentTimeMillis() + leaseMs + 1_000);
    }
    assertThat(tasks).extracting(t -> t.getJsonNumber("lease").longValue()).doesNotHaveDuplicates();

    volunteer.results(runNatively("montecarlo", tasks));

    JsonObject done = api.awaitState(id, "SUCCEEDED", WAIT);
    byte[] expected = nativeWholeJob("montecarlo-whole", "6", "200000");
    assertThat(api.result(id)).isEqualTo(expected);
    assertThat(done.getJsonObject("tasks").getInt("done")).isEqualTo(6);
    assertThat(done.getInt("resultSize")).isEqualTo(expected.length);
  }

  /** A reducer job of montecarlo tasks run by this volunteer; answers the job's id. */
  private String reducerJob(VolunteerClient volunteer, String reducer) {
    String id =
        api.submit(
                "{\"kernel\":\""
                    + api.kernel(TestKernels.wasm("montecarlo"))
                    + "\",\"tasks\":2,\"args\":[\"20000\"],\"merge\":{\"kind\":\"reduce\",\"kernel\":\""
                    + reducer
                    + "\"}}")
            .getString("id");
    volunteer.request(2);
    volunteer.results(runNatively("montecarlo", volunteer.awaitTasks(2, WAIT)));
    return id;
  }

  @Test
  void reducersRunInPayaraAndALoopingOneStopsAtItsLimitWithoutDelayingOthers() {
    // This server runs with SURGE_REDUCE_TIMEOUT=5s (ItServers.VOLUNTEER).
    var volunteer = volunteer();
    String spinning =
        api.kernel(
            TestKernels.wat(
                "(module (memory (export \"memory\") 1) (func (export \"_start\") (loop (br_if 0"
                    + " (i32.const 1)))))"));
    String looping = reducerJob(volunteer, spinning);
    api.awaitState(looping, "MERGING", WAIT);
    long t0 = System.nanoTime();
    String reduced = reducerJob(volunteer, api.kernel(TestKernels.wasm("pi-reduce")));
    api.awaitState(reduced, "SUCCEEDED", WAIT);
    assertThat(new String(api.result(reduced), StandardCharsets.UTF_8)).startsWith("pi ~= 3");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
    assertThat(api.status(looping).getString("state")).isEqualTo("MERGING");

    JsonObject failed = api.awaitState(looping, "FAILED", WAIT);
    assertThat(failed.getJsonObject("error").getString("message"))
        .isEqualTo("the reducer kernel ran longer than PT5S (SURGE_REDUCE_TIMEOUT)");
    assertThat(api.get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void lateAndDuplicateResultsAreIgnored() {
    var volunteer = volunteer();
    volunteer.request(3);
    String id = job("montecarlo", 3, ",\"args\":[\"100000\"],\"merge\":{\"kind\":\"sum\"}");
    List<JsonObject> tasks = volunteer.awaitTasks(3, WAIT);
    List<JsonObject> results = runNatively("montecarlo", tasks);
    double ignoredBefore = api.metric("surge_results_ignored_total");

    // A result quoting a lease the server never gave, with a wrong output.
    JsonObject first = tasks.get(0);
    JsonObject wrongLease =
        Json.createObjectBuilder(first)
            .add("lease", first.getJsonNumber("lease").longValue() + 1_000_000)
            .build();
    byte[] wrong = "1 1\n".getBytes(StandardCharsets.US_ASCII);
    volunteer.results(List.of(NativeRun.resultOf(wrongLease, "ok", 0, wrong, new byte[0], 1)));
    volunteer.results(results);
    api.awaitState(id, "SUCCEEDED", WAIT);
    byte[] expected = nativeWholeJob("montecarlo-whole", "3", "100000");
    assertThat(api.result(id)).isEqualTo(expected);

    // The same results again: their leases ended when they were accepted.
    volunteer.results(results);
    eventually(
        WAIT,
        () -> assertThat(api.metric("surge_results_ignored_total")).isEqualTo(ignoredBefore + 4));
    assertThat(api.result(id)).isEqualTo(expected);
    assertThat(api.status(id).getString("state")).isEqualTo("SUCCEEDED");
  }

  @Test
  void aTaskThatExitsNonZeroFailsItsJobWithTheStderrTail() {
    var volunteer = volunteer();
    volunteer.request(3);
    String id = job("fail", 3, ",\"args\":[\"3\",\"boom\"],\"env\":{\"FAIL_INDEX\":\"1\"}");
    List<JsonObject> tasks = volunteer.awaitTasks(3, WAIT);
    List<JsonObject> results = runNatively("fail", tasks);
    assertThat(results)
        .filteredOn(r -> r.getInt("index") == 1)
        .singleElement()
        .satisfies(r -> assertThat(r.getString("status")).isEqualTo("exit"));

    volunteer.results(results);

    JsonObject failed = api.awaitState(id, "FAILED", WAIT);
    JsonObject error = failed.getJsonObject("error");
    assertThat(error.getInt("task")).isEqualTo(1);
    assertThat(error.getInt("exitCode")).isEqualTo(3);
    assertThat(error.getString("stderrTail")).contains("fail: boom (task 1 of 3)");
    assertThat(error.getString("message")).contains("task 1").contains("3");
    assertThat(failed.getJsonObject("tasks").getInt("failed")).isEqualTo(1);
    assertThat(api.get("/api/jobs/" + id + "/result").statusCode()).isEqualTo(409);
  }

  @Test
  void tasksOfAConnectionThatClosesAreLeasedToAnotherAtOnce() {
    var first = volunteer();
    first.request(3);
    String id = job("noop", 3, "");
    List<JsonObject> held = first.awaitTasks(3, WAIT);
    var second = volunteer();
    second.request(3);
    assertThat(second.tasksWithin(Duration.ofMillis(500))).as("nothing is queued").isEmpty();

    long closing = System.nanoTime();
    first.close();
    List<JsonObject> again = second.awaitTasks(3, WAIT);
    // Far sooner than the 30 s lease: the close, not the lease expiry, gave them back.
    assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(5));
    assertThat(indices(again)).isEqualTo(indices(held));
    assertThat(again).allSatisfy(t -> assertThat(t.getString("job")).isEqualTo(id));
    assertThat(again)
        .extracting(t -> t.getJsonNumber("lease").longValue())
        .doesNotContainAnyElementsOf(
            held.stream().map(t -> t.getJsonNumber("lease").longValue()).toList());

    second.results(runNatively("noop", again));
    api.awaitState(id, "SUCCEEDED", WAIT);
  }

  @Test
  void releasedTasksAreQueuedAgainAtOnce() {
    var first = volunteer();
    first.request(2);
    String id = job("noop", 2, "");
    List<JsonObject> held = first.awaitTasks(2, WAIT);
    var second = volunteer();
    second.request(2);
    assertThat(second.tasksWithin(Duration.ofMillis(500))).as("nothing is queued").isEmpty();

    long releasing = System.nanoTime();
    first.release(held, "paused");
    List<JsonObject> again = second.awaitTasks(2, WAIT);
    assertThat(Duration.ofNanos(System.nanoTime() - releasing)).isLessThan(Duration.ofSeconds(5));
    assertThat(indices(again)).isEqualTo(indices(held));
    assertThat(first.isOpen()).isTrue();

    second.results(runNatively("noop", again));
    api.awaitState(id, "SUCCEEDED", WAIT);
  }

  @Test
  void cancellingARunningJobCancelsItsTasksOnTheVolunteer() {
    var volunteer = volunteer();
    volunteer.request(2);
    String id = job("spin", 2, ",\"args\":[\"1000\"]");
    List<JsonObject> held = volunteer.awaitTasks(2, WAIT);

    var cancel = api.post("/api/jobs/" + id + "/cancel", "application/json", new byte[0]);
    assertThat(Api.object(cancel).getString("state")).isEqualTo("CANCELLED");

    JsonObject message = volunteer.await("cancel", WAIT);
    assertThat(message.getString("reason")).isNotBlank();
    assertThat(message.getJsonArray("tasks").getValuesAs(JsonObject.class))
        .extracting(t -> t.getString("job") + "/" + t.getInt("index"))
        .containsExactlyInAnyOrder(
            held.stream()
                .map(t -> t.getString("job") + "/" + t.getInt("index"))
                .toArray(String[]::new));
    // A result that arrives after all is ignored; the job stays cancelled.
    volunteer.results(runNatively("spin", held));
    Api.sleep(300);
    assertThat(api.status(id).getString("state")).isEqualTo("CANCELLED");
  }
}
