package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.eventually;

import jakarta.json.JsonObject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Volunteers that lie, spoken by the raw protocol client against the built WAR on Payara Micro: one
 * claims 4096 workers, one forges an {@code exit}, one holds a task with heartbeats and never
 * answers. The server runs with {@code SURGE_NEW_VOLUNTEER_TASKS=4} (arquillian.xml, "hostile").
 */
@ExtendWith(ArquillianExtension.class)
class HostileVolunteerIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int NEW_VOLUNTEER_TASKS = 4;

  @Deployment(testable = false)
  @TargetsContainer("hostile")
  static WebArchive war() {
    return SurgeWar.forContainer("hostile");
  }

  @ArquillianResource URL base;
  private Api api;
  private final List<VolunteerClient> clients = new ArrayList<>();

  @BeforeEach
  void client() {
    api = new Api(base);
  }

  @AfterEach
  void leaveNoVolunteerNorJob() {
    clients.forEach(VolunteerClient::close);
    api.cancelUnfinishedJobs();
    eventually(WAIT, () -> assertThat(api.metric("surge_volunteers_connected")).isZero());
  }

  private VolunteerClient volunteer(int workers) {
    var client = VolunteerClient.connect(api.volunteerSocket());
    clients.add(client);
    client.hello(api.consentToken(), workers);
    return client;
  }

  private String job(String kernel, int tasks, String extra) {
    return api.submit(
            "{\"kernel\":\""
                + api.kernel(TestKernels.wasm(kernel))
                + "\",\"tasks\":"
                + tasks
                + extra
                + "}")
        .getString("id");
  }

  private static JsonObject forgedExit(JsonObject task) {
    byte[] stderr = "\u001b[2J\u001b[31mjob hijacked\u202e\r\n".getBytes(StandardCharsets.UTF_8);
    return NativeRun.resultOf(task, "exit", 66, new byte[0], stderr, 1);
  }

  @Test
  void aVolunteerClaiming4096WorkersGetsOnlyTheNewVolunteerAllowance() {
    var liar = volunteer(4096);
    liar.request(200);
    String id = job("noop", 200, "");

    List<JsonObject> held = liar.awaitTasks(NEW_VOLUNTEER_TASKS, WAIT);
    assertThat(liar.tasksWithin(Duration.ofSeconds(1))).as("nothing past the allowance").isEmpty();
    JsonObject status = api.status(id);
    assertThat(status.getJsonObject("tasks").getInt("leased")).isEqualTo(NEW_VOLUNTEER_TASKS);
    assertThat(status.getJsonObject("tasks").getInt("queued")).isEqualTo(200 - NEW_VOLUNTEER_TASKS);

    // Valid results earn more: one per result.
    liar.results(held.stream().map(t -> NativeRun.result("noop", t)).toList());
    assertThat(liar.awaitTasks(2 * NEW_VOLUNTEER_TASKS, WAIT)).hasSize(2 * NEW_VOLUNTEER_TASKS);
    assertThat(liar.tasksWithin(Duration.ofMillis(500))).isEmpty();
  }

  @Test
  void aForgedExitDoesNotFailTheJobAndAnHonestVolunteerCompletesItCorrectly() {
    var liar = volunteer(2);
    var honest = volunteer(2);
    liar.request(3);
    String id = job("montecarlo", 3, ",\"args\":[\"100000\"],\"merge\":{\"kind\":\"sum\"}");
    List<JsonObject> stolen = liar.awaitTasks(3, WAIT);
    liar.results(stolen.stream().map(HostileVolunteerIT::forgedExit).toList());

    honest.request(3);
    List<JsonObject> tasks = honest.awaitTasks(3, WAIT);
    assertThat(tasks).extracting(t -> t.getInt("index")).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(api.status(id).getString("state")).isEqualTo("RUNNING");
    liar.request(3);
    assertThat(liar.tasksWithin(Duration.ofMillis(500)))
        .as("the liar is not given the tasks it failed")
        .isEmpty();

    honest.results(tasks.stream().map(t -> NativeRun.result("montecarlo", t)).toList());
    api.awaitState(id, "SUCCEEDED", WAIT);
    var whole = NativeRun.run("montecarlo-whole", List.of("3", "100000"), Map.of(), new byte[0]);
    assertThat(api.result(id)).isEqualTo(whole.stdout());
  }

  @Test
  void threeDistinctVolunteersFailingATaskFailItsJobQuotingThemWithoutTheirEscapes() {
    var liars = List.of(volunteer(1), volunteer(1), volunteer(1));
    String id = job("noop", 1, "");
    for (var liar : liars) {
      liar.request(1);
      JsonObject task = liar.awaitTasks(1, WAIT).get(0);
      liar.results(List.of(forgedExit(task)));
    }
    JsonObject error = api.awaitState(id, "FAILED", WAIT).getJsonObject("error");
    assertThat(error.getString("message"))
        .startsWith("task 0 failed on 3 distinct volunteers (SURGE_MAX_FAILURES=3): ")
        .contains("exited with code 66");
    String stderr = error.getString("stderrTail");
    assertThat(stderr).contains("job hijacked").doesNotContain("\u001b", "\u202e", "\r");
  }

  @Test
  void aConnectionThatNeverSaysHelloIsClosedAtItsIdleTimeout() {
    // Unknown to the dispatcher, so only the idle time (six heartbeats, VolunteerEndpoint) closes
    // it: kept by Surge (IdleSessions), which closes with 4408 and says why.
    // Meanwhile a busy volunteer receives tasks while it sends results (Tyrus's own per-frame
    // timer could leave a stray timeout behind when two threads re-armed it at once): it must
    // stay open past the idle time.
    var busy = volunteer(4);
    job("noop", 200_000, "");
    var mute = VolunteerClient.connect(api.volunteerSocket());
    clients.add(mute);
    long idleMs = 6 * 5_000; // 6 x SURGE_HEARTBEAT's default
    long t0 = System.nanoTime();
    int done = 0;
    while (mute.isOpen() && System.nanoTime() - t0 < Duration.ofMillis(idleMs + 15_000).toNanos()) {
      busy.request(4);
      var tasks = busy.awaitTasks(4, WAIT);
      busy.results(tasks.stream().map(t -> NativeRun.result("noop", t)).toList());
      done += tasks.size();
    }
    var close = mute.awaitClose(Duration.ofMillis(1_000));
    Duration open = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(busy.isOpen()).as("the busy volunteer is still connected").isTrue();
    assertThat(done).as("tasks done by the busy volunteer meanwhile").isGreaterThan(100);
    assertThat(close.code()).isEqualTo(4408);
    assertThat(close.reason()).isEqualTo("nothing received for " + idleMs + " ms");
    assertThat(open)
        .isBetween(Duration.ofMillis(idleMs - 1_000), Duration.ofMillis(idleMs + 3_000));
    assertThat(mute.isOpen()).isFalse();
  }

  @Test
  void aSilentVolunteerIsClosedWith4408AndItsTaskGoesToAnother() {
    // Dead-peer detection: the dispatcher's heartbeat check, whatever re-arms the container's
    // idle timer.
    var dead = volunteer(1);
    var honest = volunteer(1);
    dead.request(1);
    String id = job("noop", 1, "");
    JsonObject task = dead.awaitTasks(1, WAIT).get(0);
    long heartbeatMs = 5_000; // SURGE_HEARTBEAT's default; three missed close the connection
    long silentFrom = System.nanoTime();
    dead.goSilent();

    var close = dead.awaitClose(Duration.ofMillis(3 * heartbeatMs + 10_000));
    Duration silent = Duration.ofNanos(System.nanoTime() - silentFrom);
    assertThat(close.code()).isEqualTo(4408);
    // Its last heartbeat went out up to half an interval before the silence began.
    assertThat(silent)
        .isBetween(
            Duration.ofMillis(3 * heartbeatMs - heartbeatMs / 2 - 500),
            Duration.ofMillis(3 * heartbeatMs + 5_000));

    honest.request(1);
    List<JsonObject> again = honest.awaitTasks(1, WAIT);
    assertThat(again.get(0).getInt("index")).isEqualTo(task.getInt("index"));
    honest.results(again.stream().map(t -> NativeRun.result("noop", t)).toList());
    api.awaitState(id, "SUCCEEDED", WAIT);
  }

  @Test
  void aVolunteerThatNeverAnswersLosesTheTaskAtItsLimitDespiteHeartbeats() {
    var silent = volunteer(1); // heartbeats every half interval, never a result
    var honest = volunteer(1);
    silent.request(1);
    String id = job("noop", 1, ",\"taskTimeout\":3");
    JsonObject task = silent.awaitTasks(1, WAIT).get(0);
    long leased = System.nanoTime();
    assertThat(task.getJsonNumber("timeoutMs").longValue()).isEqualTo(3000);

    JsonObject cancel = silent.await("cancel", WAIT);
    Duration held = Duration.ofNanos(System.nanoTime() - leased);
    assertThat(cancel.getString("reason")).isEqualTo("task time limit");
    // At the limit, far sooner than the 30 s lease its heartbeats kept renewing.
    assertThat(held).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(8));
    assertThat(silent.isOpen()).isTrue();

    honest.request(1);
    List<JsonObject> again = honest.awaitTasks(1, WAIT);
    assertThat(again.get(0).getInt("index")).isZero();
    honest.results(again.stream().map(t -> NativeRun.result("noop", t)).toList());
    api.awaitState(id, "SUCCEEDED", WAIT);
  }

  @Test
  void aTaskTimeoutAboveTheServersMaximumIsRefusedNamingTheField() {
    var response =
        api.postJson(
            "/api/jobs",
            "{\"kernel\":\""
                + api.kernel(TestKernels.wasm("noop"))
                + "\",\"tasks\":1,\"taskTimeout\":86401}");
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject problem = Api.object(response);
    assertThat(problem.getString("field")).isEqualTo("taskTimeout");
    assertThat(problem.getString("error")).contains("SURGE_MAX_TASK_TIMEOUT");
  }
}
