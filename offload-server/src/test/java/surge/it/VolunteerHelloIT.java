package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static surge.it.Api.eventually;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Opening a volunteer session of the protocol (protocol/PROTOCOL.md) on {@code /volunteer}: the
 * hello and its consent token (forged, expired, revoked), and the page's origin. Spoken by the JDK
 * WebSocket client against the built WAR on Payara Micro; shares the "volunteer" server with the
 * other Volunteer*IT classes.
 */
class VolunteerHelloIT extends VolunteerSessions {

  @Test
  void aFirstMessageOtherThanHelloIsClosedWith1008() {
    var client = connect();
    client.request(1);
    assertThat(client.awaitClose(WAIT).code()).isEqualTo(1008);
  }

  @Test
  void aForgedMissingOrGarbledTokenIsClosedWith1008() {
    String[] real = api.consentToken().split("\\.");
    var b64 = Base64.getUrlEncoder().withoutPadding();
    String payload = new String(Base64.getUrlDecoder().decode(real[0]), StandardCharsets.UTF_8);
    JsonObject claims = Json.createReader(new StringReader(payload)).readObject();
    // The same signature over a payload that claims more CPU than was consented to.
    String forged =
        b64.encodeToString(
                Json.createObjectBuilder(claims)
                    .add("cpu", 100)
                    .build()
                    .toString()
                    .getBytes(StandardCharsets.UTF_8))
            + "."
            + real[1];

    for (String token : List.of(forged, "", "not-a-token")) {
      var client = connect();
      client.sendHello(token);
      var close = client.awaitClose(WAIT);
      assertThat(close.code()).as("token '%s': %s", token, close).isEqualTo(1008);
    }
  }

  @Test
  void aValidHelloIsAnsweredWithAWelcome() {
    var first = connect();
    JsonObject welcome = first.hello(api.consentToken());
    var second = volunteer();

    assertThat(welcome.keySet())
        .containsExactlyInAnyOrder(
            "type",
            "session",
            "heartbeatMs",
            "leaseMs",
            "batch",
            "prefetchBelow",
            "maxMessageBytes",
            "checkpointMs",
            "maxCheckpointBytes",
            "idleHeartbeatMs");
    assertThat(welcome.getString("session")).isNotBlank();
    assertThat(welcome.getJsonNumber("heartbeatMs").longValueExact()).isPositive();
    // A volunteer holding no task beats at the idle interval (PROTOCOL.md): 12 heartbeats.
    assertThat(welcome.getJsonNumber("idleHeartbeatMs").longValueExact())
        .isEqualTo(12 * welcome.getJsonNumber("heartbeatMs").longValueExact());
    assertThat(welcome.getJsonNumber("leaseMs").longValueExact()).isPositive();
    int batch = welcome.getInt("batch");
    assertThat(batch).isPositive();
    assertThat(welcome.getInt("prefetchBelow")).isBetween(0, batch);
    assertThat(welcome.getInt("maxMessageBytes")).isEqualTo(MAX_MESSAGE_BYTES);
    // SURGE_CHECKPOINT_INTERVAL's default; a checkpoint must fit in one message, base64 and all.
    assertThat(welcome.getInt("checkpointMs")).isEqualTo(2000);
    assertThat(welcome.getInt("maxCheckpointBytes")).isEqualTo((MAX_MESSAGE_BYTES - 1024) / 4 * 3);
    assertThat(second.isOpen()).isTrue();
    eventually(WAIT, () -> assertThat(api.metric("surge_volunteers_connected")).isEqualTo(2));
  }

  @Test
  void revokingAConsentClosesItsSessionWith1008AndItsTasksGoToAnotherAtOnce() {
    String token = api.consentToken();
    var first = connect();
    first.hello(token);
    first.request(2);
    String id = job("noop", 2, "");
    List<JsonObject> held = first.awaitTasks(2, WAIT);
    var second = volunteer();
    second.request(2);
    assertThat(second.tasksWithin(Duration.ofMillis(500))).as("nothing is queued").isEmpty();

    long revoking = System.nanoTime();
    var revoke = api.postJson("/api/consent/revoke", "{\"token\":\"" + token + "\"}");
    assertThat(revoke.statusCode()).as(Api.text(revoke)).isEqualTo(204);
    var revoked = first.awaitClose(WAIT);
    assertThat(revoked.code()).as("%s", revoked).isEqualTo(1008);
    assertThat(revoked.reason()).isEqualTo("consent revoked");
    List<JsonObject> again = second.awaitTasks(2, WAIT);
    // Far sooner than the 30 s lease: the revocation gave them back.
    assertThat(Duration.ofNanos(System.nanoTime() - revoking)).isLessThan(Duration.ofSeconds(5));
    assertThat(indices(again)).isEqualTo(indices(held));

    var replay = connect();
    replay.sendHello(token);
    var close = replay.awaitClose(WAIT);
    assertThat(close.code()).as("%s", close).isEqualTo(1008);
    assertThat(close.reason()).contains("revoked");

    second.results(runNatively("noop", again));
    api.awaitState(id, "SUCCEEDED", WAIT);
  }

  @Test
  void anExpiredTokenIsClosedWith1008WhileTheSameRecipeUnexpiredIsWelcome() {
    long now = Instant.now().getEpochSecond();
    var fresh = connect();
    assertThat(fresh.hello(signedToken(now - 60, now + 3600)).getString("type"))
        .isEqualTo("welcome");

    var expired = connect();
    expired.sendHello(signedToken(now - 7200, now - 3600));
    var close = expired.awaitClose(WAIT);
    assertThat(close.code()).as("%s", close).isEqualTo(1008);
    assertThat(close.reason()).contains("expired");
  }

  /**
   * A token as the server signs it, with the consent secret ItServers.VOLUNTEER gives the server.
   */
  private static String signedToken(long issuedAt, long expiresAt) {
    var b64 = Base64.getUrlEncoder().withoutPadding();
    String payload =
        Json.createObjectBuilder()
            .add("jti", java.util.UUID.randomUUID().toString())
            .add("site", "https://it.example")
            .add("prj", "demo")
            .add("rev", 1)
            .add("cpu", 50)
            .add("iat", issuedAt)
            .add("exp", expiresAt)
            .build()
            .toString();
    String body = b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    try {
      byte[] key =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest("it-consent-secret-0123456789".getBytes(StandardCharsets.UTF_8)))
              .getBytes(StandardCharsets.US_ASCII);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return body + "." + b64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aPageOfAnOriginThatIsNotAllowedCannotOpenAVolunteerConnection() {
    var refused =
        VolunteerClient.tryConnect(api.volunteerSocket(), Optional.of("https://evil.example"));
    assertThatThrownBy(() -> refused.get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(WebSocketHandshakeException.class)
        .satisfies(
            e ->
                assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
                    .isEqualTo(403));

    var allowed = VolunteerClient.connect(api.volunteerSocket(), Optional.of("https://it.example"));
    clients.add(allowed);
    assertThat(allowed.hello(api.consentToken()).getString("type")).isEqualTo("welcome");
  }
}
