package surge.it;

import java.util.Map;
import surge.testing.SharedServer;

/**
 * The servers that several IT classes share (one Payara start for a feature's classes, see {@link
 * SharedServer}), with the settings each feature's tests rely on. Started by bin/surge-server with
 * the documented SURGE_* names, as an operator would.
 */
final class ItServers {
  private ItServers() {}

  private static final String JAVA = "-Xmx768m -XX:+UseParallelGC";

  /** The REST API, kernel approval (the default policy, approved), consent, the dashboard. */
  static final SharedServer REST =
      new SharedServer(
          "rest",
          Map.of(
              "SURGE_JAVA_OPTS", JAVA,
              "SURGE_VERIFY", "replicate=1",
              "SURGE_ALLOWED_ORIGINS", "https://it.example",
              "SURGE_ADMIN_PASSWORD", "it-admin-password",
              "SURGE_ADMIN_TOKEN", Api.OPERATOR_TOKEN));

  /**
   * The volunteer WebSocket: a small maxMessageBytes so that an oversized frame is cheap to send; a
   * known consent secret so that a test can sign an expired token; a short reducer timeout.
   */
  static final SharedServer VOLUNTEER =
      new SharedServer(
          "volunteer",
          Map.of(
              "SURGE_JAVA_OPTS", JAVA,
              "SURGE_VERIFY", "replicate=1",
              "SURGE_MAX_MESSAGE_BYTES", "65536",
              "SURGE_ALLOWED_ORIGINS", "https://it.example",
              "SURGE_CONSENT_SECRET", "it-consent-secret-0123456789",
              "SURGE_KERNEL_POLICY", "any-user",
              "SURGE_REDUCE_TIMEOUT", "5s",
              "SURGE_ADMIN_TOKEN", Api.OPERATOR_TOKEN));
}
