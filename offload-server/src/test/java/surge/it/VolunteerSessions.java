package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.eventually;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import surge.testing.SharedServer;

/**
 * What the Volunteer*IT classes share: the "volunteer" server, the JDK WebSocket client's
 * connections (closed after each test), jobs cancelled after each test, and a few helpers.
 */
abstract class VolunteerSessions {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final int MAX_MESSAGE_BYTES = 65536; // SURGE_MAX_MESSAGE_BYTES, ItServers

  @RegisterExtension static final SharedServer server = ItServers.VOLUNTEER;

  Api api;
  final List<VolunteerClient> clients = new ArrayList<>();

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

  VolunteerClient connect() {
    var client = VolunteerClient.connect(api.volunteerSocket());
    clients.add(client);
    return client;
  }

  /** A connection past its hello, with a fresh consent token. */
  VolunteerClient volunteer() {
    var client = connect();
    client.hello(api.consentToken());
    return client;
  }

  String job(String kernel, int tasks, String extra) {
    return api.submit(
            "{\"kernel\":\""
                + api.kernel(TestKernels.wasm(kernel))
                + "\",\"tasks\":"
                + tasks
                + extra
                + "}")
        .getString("id");
  }

  static List<Integer> indices(List<JsonObject> tasks) {
    return tasks.stream().map(t -> t.getInt("index")).sorted().toList();
  }

  static List<JsonObject> runNatively(String program, List<JsonObject> tasks) {
    return tasks.stream().map(t -> NativeRun.result(program, t)).toList();
  }
}
