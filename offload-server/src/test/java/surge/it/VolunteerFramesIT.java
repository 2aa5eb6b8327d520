package surge.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Frames the volunteer protocol (protocol/PROTOCOL.md) does not accept on {@code /volunteer}:
 * unknown types, field errors, text that is not JSON, binary frames, frames over maxMessageBytes
 * (65536 on this server). Spoken by the JDK WebSocket client against the built WAR on Payara Micro;
 * shares the "volunteer" server with the other Volunteer*IT classes.
 */
class VolunteerFramesIT extends VolunteerSessions {

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
