package surge.identity.control;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Slurm's JSON Web Tokens as slurmrestd accepts them: {@code scontrol token} signs HS256 with the
 * cluster's {@code jwt_hs256.key} (the raw bytes of the file, SURGE_JWT_KEY), and a site with an
 * identity provider signs RS256 with a key from a JWKS file (SURGE_JWKS). The user is the {@code
 * sun} claim (Slurm user name), or {@code username} as Slurm reads it from JWKS tokens; {@code exp}
 * is required. Anything else is refused, {@code alg: none} first of all.
 */
public final class SlurmJwt {
  private static final int MAX_LENGTH = 8192;

  private final Optional<byte[]> hs256Key;
  private final Optional<JWKSet> jwks;
  private final Clock clock;

  public SlurmJwt(Optional<byte[]> hs256Key, Optional<JWKSet> jwks, Clock clock) {
    hs256Key.ifPresent(
        k -> {
          if (k.length < 32) {
            throw new IllegalArgumentException(
                "SURGE_JWT_KEY: an HS256 key has at least 32 bytes (Slurm makes one with dd"
                    + " bs=32 count=1), this one has "
                    + k.length);
          }
        });
    this.hs256Key = hs256Key.map(byte[]::clone);
    this.jwks = jwks;
    this.clock = clock;
  }

  /** From the key files named by SURGE_JWT_KEY and SURGE_JWKS; either may be absent. */
  public static SlurmJwt fromFiles(Optional<Path> keyFile, Optional<Path> jwksFile, Clock clock) {
    try {
      Optional<byte[]> key =
          keyFile.isPresent() ? Optional.of(Files.readAllBytes(keyFile.get())) : Optional.empty();
      Optional<JWKSet> set =
          jwksFile.isPresent()
              ? Optional.of(JWKSet.load(jwksFile.get().toFile()))
              : Optional.empty();
      return new SlurmJwt(key, set, clock);
    } catch (IOException | ParseException e) {
      throw new IllegalArgumentException("cannot read a JWT key file: " + e.getMessage(), e);
    }
  }

  public boolean enabled() {
    return hs256Key.isPresent() || jwks.isPresent();
  }

  /** True when {@code credential} has the three dot-separated parts of a JWS. */
  public static boolean looksLike(String credential) {
    return credential != null && credential.chars().filter(c -> c == '.').count() == 2;
  }

  public Caller verify(String token) throws CredentialRefused {
    if (!enabled()) {
      throw new CredentialRefused(
          "JWT is not configured on this server (SURGE_JWT_KEY, SURGE_JWKS)");
    }
    if (token == null || token.length() > MAX_LENGTH) {
      throw new CredentialRefused("a JWT has at most " + MAX_LENGTH + " characters");
    }
    SignedJWT jwt;
    try {
      // SignedJWT.parse refuses an unsecured ("alg": "none") token: it has no JWS header.
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new CredentialRefused("not a signed JWT: " + e.getMessage());
    }
    boolean signed;
    try {
      signed = jwt.verify(verifier(jwt));
    } catch (JOSEException e) {
      signed = false;
    }
    if (!signed) {
      throw new CredentialRefused("the JWT's signature is wrong");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new CredentialRefused("the JWT's claims are not readable: " + e.getMessage());
    }
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new CredentialRefused("the JWT has no exp claim");
    }
    if (!clock.instant().isBefore(exp.toInstant())) {
      throw new CredentialRefused("the JWT expired at " + exp.toInstant());
    }
    Date iat = claims.getIssueTime();
    if (iat != null && iat.toInstant().isAfter(clock.instant().plusSeconds(60))) {
      throw new CredentialRefused("the JWT is issued in the future (iat " + iat.toInstant() + ")");
    }
    String user = user(claims);
    if (!UserNames.valid(user)) {
      throw new CredentialRefused("the JWT's sun claim is not a user name");
    }
    return new Caller(user, Caller.Role.USER, "jwt");
  }

  private static String user(JWTClaimsSet claims) throws CredentialRefused {
    try {
      String sun = claims.getStringClaim("sun");
      return sun != null ? sun : claims.getStringClaim("username");
    } catch (ParseException e) {
      throw new CredentialRefused("the JWT's sun claim is not a string");
    }
  }

  private JWSVerifier verifier(SignedJWT jwt) throws CredentialRefused {
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    try {
      if (JWSAlgorithm.HS256.equals(alg) && hs256Key.isPresent()) {
        return new MACVerifier(hs256Key.get());
      }
      if (JWSAlgorithm.RS256.equals(alg) && jwks.isPresent()) {
        return new RSASSAVerifier(rsaKey(jwt.getHeader().getKeyID()).toRSAPublicKey());
      }
    } catch (JOSEException e) {
      throw new CredentialRefused("the JWT's key is not usable: " + e.getMessage());
    }
    throw new CredentialRefused("JWT algorithm " + alg + " is not accepted here");
  }

  /** The JWKS key named by {@code kid}, or the only RSA key when the token names none. */
  private RSAKey rsaKey(String kid) throws CredentialRefused {
    List<JWK> keys = jwks.orElseThrow().getKeys();
    List<RSAKey> candidates =
        keys.stream()
            .filter(k -> k instanceof RSAKey)
            .map(k -> (RSAKey) k)
            .filter(k -> kid == null || kid.equals(k.getKeyID()))
            .toList();
    if (candidates.size() != 1) {
      throw new CredentialRefused(
          kid == null
              ? "the JWT names no key (kid) and the JWKS has several RSA keys"
              : "no RSA key " + kid + " in the JWKS");
    }
    return candidates.get(0);
  }
}
