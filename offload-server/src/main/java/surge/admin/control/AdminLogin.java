package surge.admin.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import surge.identity.control.Caller;

/**
 * The dashboard's HTTP Basic login, which browsers can show: user {@code admin} and
 * SURGE_ADMIN_PASSWORD (compared in constant time), or any user name and an API token as the
 * password. Every check goes through the {@link LoginThrottle}, which slows guessing and never
 * refuses the right password.
 */
public final class AdminLogin {
  public static final String USER = "admin";

  /** What a Basic header earned. */
  public sealed interface Outcome {}

  public record Allowed(Caller caller) implements Outcome {}

  public record Refused() implements Outcome {}

  /** Another check from this address is still running. */
  public record Busy() implements Outcome {}

  private final Optional<byte[]> expected;
  private final LoginThrottle throttle;

  public AdminLogin(Optional<String> password, LoginThrottle throttle) {
    this.expected = password.map(p -> digest(USER + ":" + p));
    this.throttle = throttle;
  }

  /** False when no password is set: then only an operator's token opens the dashboard. */
  public boolean passwordSet() {
    return expected.isPresent();
  }

  /**
   * Checks the base64 part of a Basic header.
   *
   * @param tokens the caller an API token stands for, if it is a valid one
   */
  public Outcome check(
      String remoteAddress, String basicCredentials, Function<String, Optional<Caller>> tokens)
      throws InterruptedException {
    String credentials;
    try {
      credentials =
          new String(Base64.getDecoder().decode(basicCredentials.trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return new Refused();
    }
    int colon = credentials.indexOf(':');
    String password = colon < 0 ? "" : credentials.substring(colon + 1);
    Caller[] found = new Caller[1];
    try {
      boolean ok =
          throttle.attempt(
              remoteAddress,
              () -> {
                if (expected.isPresent()
                    && MessageDigest.isEqual(digest(credentials), expected.get())) {
                  found[0] = new Caller(USER, Caller.Role.OPERATOR, "password");
                  return true;
                }
                found[0] = tokens.apply(password).orElse(null);
                return found[0] != null;
              });
      return ok ? new Allowed(found[0]) : new Refused();
    } catch (LoginThrottle.Busy e) {
      return new Busy();
    }
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is in every JVM", e);
    }
  }
}
