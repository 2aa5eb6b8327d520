package surge.identity.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens made the way {@code scontrol token} makes them: HS256, claims sun, iat, exp. */
class SlurmJwtTest {
  static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  final TestClock clock = new TestClock(NOW);
  final byte[] key = random(32);

  static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  static JWTClaimsSet claims(String user, Instant iat, Instant exp) {
    return new JWTClaimsSet.Builder()
        .claim("sun", user)
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(exp))
        .build();
  }

  static String hs256(byte[] key, JWTClaimsSet claims) throws Exception {
    var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(key));
    return jwt.serialize();
  }

  SlurmJwt hs() {
    return new SlurmJwt(Optional.of(key), Optional.empty(), clock);
  }

  @Test
  void aTokenLikeScontrolTokensNamesTheSlurmUser() throws Exception {
    String token = hs256(key, claims("alice", NOW, NOW.plusSeconds(1800)));
    assertThat(hs().verify(token)).isEqualTo(new Caller("alice", Caller.Role.USER, "jwt"));
  }

  @Test
  void anExpiredTokenIsRefused() throws Exception {
    String token = hs256(key, claims("alice", NOW.minusSeconds(3600), NOW.minusSeconds(1)));
    assertThatThrownBy(() -> hs().verify(token)).hasMessageContaining("expired");
  }

  @Test
  void aTokenWithoutExpiryIsRefused() throws Exception {
    var jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder().claim("sun", "alice").build());
    jwt.sign(new MACSigner(key));
    assertThatThrownBy(() -> hs().verify(jwt.serialize())).hasMessageContaining("exp");
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
    String token = hs256(random(32), claims("alice", NOW, NOW.plusSeconds(1800)));
    assertThatThrownBy(() -> hs().verify(token)).hasMessageContaining("signature");
  }

  @Test
  void aTokenWhoseClaimsWereChangedIsRefused() throws Exception {
    String[] parts = hs256(key, claims("alice", NOW, NOW.plusSeconds(1800))).split("\\.");
    String forged =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                ("{\"sun\":\"root\",\"exp\":" + NOW.plusSeconds(1800).getEpochSecond() + "}")
                    .getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> hs().verify(parts[0] + "." + forged + "." + parts[2]))
        .isInstanceOf(CredentialRefused.class);
  }

  @Test
  void anUnsignedAlgNoneTokenIsRefused() {
    var b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
    String body =
        b64.encodeToString(
            ("{\"sun\":\"root\",\"exp\":" + NOW.plusSeconds(1800).getEpochSecond() + "}")
                .getBytes());
    assertThatThrownBy(() -> hs().verify(header + "." + body + "."))
        .isInstanceOf(CredentialRefused.class);
    assertThatThrownBy(() -> hs().verify(header + "." + body + ".c2ln"))
        .isInstanceOf(CredentialRefused.class);
  }

  @Test
  void rs256TokensAreCheckedAgainstTheJwksFile(@TempDir Path dir) throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("site-1").generate();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(rsa.toPublicJWK()).toString());
    var verifier = SlurmJwt.fromFiles(Optional.empty(), Optional.of(jwks), clock);

    var good =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("site-1").build(),
            claims("bob", NOW, NOW.plusSeconds(600)));
    good.sign(new RSASSASigner(rsa));
    assertThat(verifier.verify(good.serialize()).name()).isEqualTo("bob");

    RSAKey other = new RSAKeyGenerator(2048).keyID("site-1").generate();
    var forged =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("site-1").build(),
            claims("bob", NOW, NOW.plusSeconds(600)));
    forged.sign(new RSASSASigner(other));
    assertThatThrownBy(() -> verifier.verify(forged.serialize())).hasMessageContaining("signature");

    // An HS256 token "signed" with the public key must not pass (algorithm confusion).
    String confused =
        hs256(
            rsa.toPublicJWK().toRSAPublicKey().getEncoded(),
            claims("bob", NOW, NOW.plusSeconds(600)));
    assertThatThrownBy(() -> verifier.verify(confused)).hasMessageContaining("not accepted");
  }

  @Test
  void withoutKeysJwtIsOffAndShortKeysAreRefused() throws Exception {
    var off = new SlurmJwt(Optional.empty(), Optional.empty(), clock);
    assertThat(off.enabled()).isFalse();
    String token = hs256(key, claims("alice", NOW, NOW.plusSeconds(1800)));
    assertThatThrownBy(() -> off.verify(token)).hasMessageContaining("not configured");
    assertThatThrownBy(() -> new SlurmJwt(Optional.of(random(8)), Optional.empty(), clock))
        .hasMessageContaining("32 bytes");
  }

  @Test
  void theKeyFileIsReadAsRawBytesAsSlurmWritesIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jwt_hs256.key");
    Files.write(file, key);
    var verifier = SlurmJwt.fromFiles(Optional.of(file), Optional.empty(), clock);
    clock.advance(Duration.ofSeconds(10));
    assertThat(verifier.verify(hs256(key, claims("carol", NOW, NOW.plusSeconds(60)))).name())
        .isEqualTo("carol");
  }
}
