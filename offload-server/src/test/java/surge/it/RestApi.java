package surge.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import surge.testing.SharedServer;

/** What the Rest*IT classes share: the "rest" server, its API client, no job left waiting. */
abstract class RestApi {
  @RegisterExtension static final SharedServer server = ItServers.REST;

  /** SURGE_ADMIN_PASSWORD of the "rest" server (ItServers). */
  static final String ADMIN_PASSWORD = "it-admin-password";

  static final String UNKNOWN_SHA = "e".repeat(64);

  Api api;

  @BeforeEach
  void client() {
    api = new Api(server.base());
  }

  @AfterEach
  void noJobLeftWaiting() {
    api.cancelUnfinishedJobs();
  }
}
