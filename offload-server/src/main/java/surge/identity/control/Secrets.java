package surge.identity.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import surge.api.Hashes;

/** Random secrets shown once and stored only as their sha256. */
final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** {@code prefix} and 32 random bytes in unpadded base64url (43 characters). */
  static String generate(String prefix) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A short random id for listing and revoking, e.g. {@code t-3f9a0c51d2e4}. */
  static String id(String prefix) {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return prefix + HexFormat.of().formatHex(bytes);
  }

  static String sha256(String secret) {
    return Hashes.sha256(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** Equal strings, compared without an early exit. */
  static boolean same(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
