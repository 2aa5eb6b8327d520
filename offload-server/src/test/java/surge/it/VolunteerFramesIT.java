package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.eventually;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import surge.testing.SharedServer;

/**
 * Frames the volunteer protocol (protocol/PROTOCOL.md) does not accept on {@code /volunteer}:
 * unknown types, field errors, text that is not JSON, binary frames, frames over maxMessageBytes
 * (65536 on this server). Spoken by the JDK WebSocket client against the built WAR on Payara Micro;
 * shares the "volunteer" server with the other Volunteer*IT classes.
 */
class VolunteerFramesIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int MAX_MESSAGE_BYTES = 65536; // SURGE_MAX_MESSAGE_BYTES, ItServers

  @RegisterExtension static final SharedServer server = ItServers.VOLUNTEER;

  private Api api;
  private final List<VolunteerClient> clients = new ArrayList<>();

  @BeforeEach
  void client() {
    api = new Api(server.base());
  }

  @AfterEach
  void leaveNoVolunteerNorJob() {
    clients.forEach(VolunteerClient::close);
    api.cancelUnfinishedJobs();
    eventually(WAIT, () -> assertThat(api.metric("surge_volunteers_connected")).isZero());
  }

  private VolunteerClient connect() {
    var client = VolunteerClient.connect(api.volunteerSocket());
    clients.add(client);
    return client;
  }

  /** A connection past its hello, with a fresh consent token. */
  private VolunteerClient volunteer() {
    var client = connect();
    client.hello(api.consentToken());
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

  private static List<JsonObject> runNatively(String program, List<JsonObject> tasks) {
    return tasks.stream().map(t -> NativeRun.result(program, t)).toList();
  }

  @Test
  void anUnknownTypeIsAnsweredWithAnErrorAndTheConnectionStaysUsable() {
    var volunteer = volunteer();
    volunteer.send("{\"type\":\"jump\",\"height\":3}");
    JsonObject error = volunteer.await("error", WAIT);
    assertThat(error.getString("code")).isEqualTo("unknown-type");
    assertThat(error.getString("message")).contains("jump");

    volunteer.request(1);
    String id = job("noop", 1, "");
    List<JsonObject> tasks = volunteer.awaitTasks(1, WAIT);
    volunteer.results(runNatively("noop", tasks));
    api.awaitState(id, "SUCCEEDED", WAIT);
  }

  @Test
  void aFieldErrorIsAnsweredWithBadMessageNamingTheField() {
    var volunteer = volunteer();
    volunteer.send(
        "{\"type\":\"results\",\"results\":[{\"job\":\"j-000001\",\"index\":0,\"status\":\"ok\","
            + "\"exitCode\":0,\"stdout\":\"\",\"stderr\":\"\",\"millis\":1}]}");
    JsonObject error = volunteer.await("error", WAIT);
    assertThat(error.getString("code")).isEqualTo("bad-message");
    assertThat(error.getString("message")).contains("results[0].lease");

    volunteer.send("{\"type\":\"request\",\"count\":\"8\"}");
    JsonObject second = volunteer.await("error", WAIT);
    assertThat(second.getString("code")).isEqualTo("bad-message");
    assertThat(second.getString("message")).contains("count");
    assertThat(volunteer.tasksWithin(Duration.ofMillis(300))).isEmpty();
    assertThat(volunteer.isOpen()).isTrue();
  }

  @Test
  void aFrameThatIsNotJsonIsClosedWith1007() {
    var volunteer = volunteer();
    volunteer.send("{\"type\": \"hello\",");
    assertThat(volunteer.awaitClose(WAIT).code()).isEqualTo(1007);
  }

  @Test
  void aBinaryFrameIsClosedWith1003() {
    var volunteer = volunteer();
    volunteer.sendBinary(new byte[] {0, 'a', 's', 'm'});
    assertThat(volunteer.awaitClose(WAIT).code()).isEqualTo(1003);
  }

  @Test
  void aFrameOverMaxMessageBytesIsClosedWith1009WhileOthersKeepWorking() {
    var other = volunteer();
    var big = volunteer();
    String pad = "x".repeat(MAX_MESSAGE_BYTES + 4096);
    big.send("{\"type\":\"heartbeat\",\"seq\":1,\"running\":0,\"pad\":\"" + pad + "\"}");
    assertThat(big.awaitClose(WAIT).code()).isEqualTo(1009);

    other.request(2);
    String id = job("noop", 2, "");
    List<JsonObject> tasks = other.awaitTasks(2, WAIT);
    other.results(runNatively("noop", tasks));
    api.awaitState(id, "SUCCEEDED", WAIT);
    assertThat(other.isOpen()).isTrue();
  }
}
