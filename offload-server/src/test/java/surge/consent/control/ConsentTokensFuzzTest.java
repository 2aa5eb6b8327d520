package surge.consent.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Any consent token a page presents is read or refused as {@link ConsentTokens.Invalid}. The fuzzer
 * cannot forge an HMAC, so half of the inputs are payloads signed with the test's key: the part
 * after the signature check is fuzzed too (the server signs only its own payloads, but a leaked
 * secret must not turn a token into a 500).
 */
public class ConsentTokensFuzzTest {
  private static final byte[] KEY = "fuzz-consent-key-0123456789abcdef".getBytes();
  private static final ConsentTokens TOKENS =
      new ConsentTokens(
          KEY,
          Duration.ofDays(30),
          Clock.fixed(Instant.parse("2026-12-03T12:00:00Z"), ZoneOffset.UTC));

  /** The first byte says whether the rest is a token (even) or a payload to sign (odd). */
  public static void fuzzerTestOneInput(byte[] input) {
    if (input.length == 0) {
      return;
    }
    String text = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
    String token = (input[0] & 1) == 1 ? sign(text) : text;
    try {
      var consent = TOKENS.verify(token);
      assertThat(consent.site()).isNotNull();
    } catch (ConsentTokens.Invalid e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  /** A token of this payload as the server makes one: base64url(payload).base64url(HMAC). */
  private static String sign(String payload) {
    String body =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
      byte[] sig = mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
      return body + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "5s")
  @DictionaryEntries({
    "\"jti\"",
    "\"site\"",
    "\"prj\"",
    "\"rev\"",
    "\"cpu\"",
    "\"iat\"",
    "\"exp\"",
    "{",
    "}",
    "9223372036854775807",
    "1796300000"
  })
  void everyTokenIsReadOrRefused(byte[] input) {
    fuzzerTestOneInput(input);
  }
}
