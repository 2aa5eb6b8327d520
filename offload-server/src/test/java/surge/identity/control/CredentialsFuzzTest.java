package surge.identity.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * What a stranger puts in an Authorization header, or in the path before it, is read or refused as
 * {@link CredentialRefused}, never thrown as anything else: a Slurm JWT (half the inputs are claims
 * signed with the test's key, so the reading after the signature check is fuzzed too), the output
 * of {@code unmunge} that the server parses, and the request path that decides who may call (read
 * once, and reading the result again changes nothing).
 */
public class CredentialsFuzzTest {
  private static final byte[] KEY = "fuzz-jwt-hs256-key-0123456789abcdef".getBytes();
  private static final SlurmJwt JWT =
      new SlurmJwt(
          Optional.of(KEY),
          Optional.empty(),
          Clock.fixed(Instant.parse("2026-12-03T12:00:00Z"), ZoneOffset.UTC));

  /** The first byte picks the reader; the rest is its input. */
  public static void fuzzerTestOneInput(byte[] input) {
    if (input.length == 0) {
      return;
    }
    String text = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
    switch (Math.floorMod(input[0], 4)) {
      case 0 -> jwt(text);
      case 1 -> jwt(sign(text));
      case 2 -> munge(text);
      default -> path(text);
    }
  }

  private static void jwt(String token) {
    try {
      Caller caller = JWT.verify(token);
      assertThat(UserNames.valid(caller.name())).isTrue();
      assertThat(caller.operator()).isFalse();
    } catch (CredentialRefused e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  private static void munge(String output) {
    try {
      Munge.Decoded decoded = Munge.parse(output);
      if (decoded.status() == 0) {
        assertThat(decoded.uid()).as("a decoded success names its uid").isNotNegative();
      }
    } catch (CredentialRefused e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  private static void path(String raw) {
    Optional<String> once = Access.normalize(raw);
    once.ifPresent(
        p -> {
          assertThat(p).startsWith("/");
          assertThat(Access.normalize(p)).contains(p);
          assertThat(Access.of("GET", raw)).contains(Access.forPath("GET", p));
        });
  }

  /** A JWT of these claims, signed as {@code scontrol token} signs with jwt_hs256.key. */
  private static String sign(String claims) {
    try {
      var jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(claims));
      jws.sign(new MACSigner(KEY));
      return jws.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "5s")
  @DictionaryEntries({
    "\"sun\"",
    "\"username\"",
    "\"exp\"",
    "\"iat\"",
    "1796300000",
    "STATUS:",
    "UID:",
    "GID:",
    "Success (0)",
    "/api/consent/export",
    "/..",
    "/.",
    "%2f",
    ";",
    "eyJ"
  })
  void everyCredentialIsReadOrRefused(byte[] input) {
    fuzzerTestOneInput(input);
  }
}
