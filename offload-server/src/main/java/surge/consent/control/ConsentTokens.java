package surge.consent.control;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Consent tokens: what a visitor agreed to (site, policy revision, CPU level, when), signed with
 * HMAC-SHA256 by the server and carrying nothing about the person. A token is {@code
 * base64url(payload).base64url(signature)}.
 */
public final class ConsentTokens {
  private static final JsonProvider JSON = JsonProvider.provider();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final byte[] key;
  private final Duration ttl;
  private final Clock clock;

  public ConsentTokens(byte[] key, Duration ttl, Clock clock) {
    if (key.length < 32) {
      throw new IllegalArgumentException("the consent signing key must have at least 32 bytes");
    }
    this.key = key.clone();
    this.ttl = ttl;
    this.clock = clock;
  }

  /** What a valid token records. */
  public record Consent(
      String id,
      String site,
      String project,
      int revision,
      int cpu,
      Instant issuedAt,
      Instant expiresAt) {}

  /** A token refused, with the reason. */
  public static final class Invalid extends Exception {
    public Invalid(String message) {
      super(message, null, false, false);
    }
  }

  public record Issued(String token, Consent consent) {}

  public Issued issue(String site, String project, int revision, int cpu) {
    Instant now = clock.instant();
    var consent =
        new Consent(UUID.randomUUID().toString(), site, project, revision, cpu, now, now.plus(ttl));
    String payload =
        JSON.createObjectBuilder()
            .add("jti", consent.id())
            .add("site", site)
            .add("prj", project)
            .add("rev", revision)
            .add("cpu", cpu)
            .add("iat", now.getEpochSecond())
            .add("exp", consent.expiresAt().getEpochSecond())
            .build()
            .toString();
    String body = B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    return new Issued(body + "." + B64.encodeToString(sign(body)), consent);
  }

  /** A token signed by this server and not expired. */
  public Consent verify(String token) throws Invalid {
    Consent consent = read(token);
    if (!clock.instant().isBefore(consent.expiresAt())) {
      throw new Invalid("the consent token expired at " + consent.expiresAt());
    }
    return consent;
  }

  /** A token signed by this server, expired or not. */
  public Consent read(String token) throws Invalid {
    if (token == null || token.isBlank()) {
      throw new Invalid("no consent token");
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      throw new Invalid("the consent token is malformed");
    }
    String body = token.substring(0, dot);
    byte[] signature;
    try {
      signature = B64D.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw new Invalid("the consent token is malformed");
    }
    if (!MessageDigest.isEqual(signature, sign(body))) {
      throw new Invalid("the consent token's signature is not this server's");
    }
    JsonObject o;
    try (var r =
        JSON.createReader(
            new StringReader(new String(B64D.decode(body), StandardCharsets.UTF_8)))) {
      o = r.readObject();
    } catch (RuntimeException e) {
      throw new Invalid("the consent token is malformed");
    }
    try {
      return new Consent(
          ((JsonString) o.get("jti")).getString(),
          ((JsonString) o.get("site")).getString(),
          ((JsonString) o.get("prj")).getString(),
          ((JsonNumber) o.get("rev")).intValueExact(),
          ((JsonNumber) o.get("cpu")).intValueExact(),
          Instant.ofEpochSecond(((JsonNumber) o.get("iat")).longValueExact()),
          Instant.ofEpochSecond(((JsonNumber) o.get("exp")).longValueExact()));
    } catch (ClassCastException
        | NullPointerException
        | ArithmeticException
        | DateTimeException e) {
      // DateTimeException: a time outside Instant's range (found by ConsentTokensFuzzTest).
      throw new Invalid("the consent token is malformed");
    }
  }

  private byte[] sign(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is in every JVM", e);
    }
  }
}
