package surge.identity.control;

import java.util.Optional;
import java.util.Set;
import surge.admin.control.AdminLogin;

/**
 * Reads an {@code Authorization} header into a {@link Caller} (docs/api.md, "Authentication"):
 * {@code Bearer surge_...} an API token, {@code Bearer h.p.s} a Slurm JWT, {@code MUNGE cred} a
 * MUNGE credential, {@code Basic} the dashboard's login. Users named in SURGE_OPERATORS are
 * operators when they prove who they are through MUNGE or JWT.
 */
public final class Authenticator {
  /** What a request's credentials earned. */
  public sealed interface Outcome {}

  /** No credentials at all. */
  public record Anonymous() implements Outcome {}

  public record Authenticated(Caller caller) implements Outcome {}

  /** Credentials that are wrong; {@code reason} says how (never repeating them). */
  public record Refused(String reason) implements Outcome {}

  /** A password check from the same address is still running. */
  public record Busy() implements Outcome {}

  private final ApiTokens tokens;
  private final Optional<String> adminTokenHash;
  private final SlurmJwt jwt;
  private final Munge munge;
  private final AdminLogin adminLogin;
  private final Set<String> operators;

  /**
   * @param adminToken SURGE_ADMIN_TOKEN: a secret that is an operator's token without being stored
   */
  public Authenticator(
      ApiTokens tokens,
      Optional<String> adminToken,
      SlurmJwt jwt,
      Munge munge,
      AdminLogin adminLogin,
      Set<String> operators) {
    this.tokens = tokens;
    this.adminTokenHash = adminToken.map(Secrets::sha256);
    this.jwt = jwt;
    this.munge = munge;
    this.adminLogin = adminLogin;
    this.operators = Set.copyOf(operators);
  }

  public Outcome authenticate(String remoteAddress, String authorization)
      throws InterruptedException {
    if (authorization == null || authorization.isBlank()) {
      return new Anonymous();
    }
    String header = authorization.strip();
    int space = header.indexOf(' ');
    if (space < 0) {
      return new Refused("an Authorization header is a scheme and a credential");
    }
    String scheme = header.substring(0, space);
    String credential = header.substring(space + 1).strip();
    try {
      if (scheme.equalsIgnoreCase("Bearer")) {
        return new Authenticated(bearer(credential));
      }
      if (scheme.equalsIgnoreCase("MUNGE")) {
        return new Authenticated(promoted(munge.decode(credential)));
      }
    } catch (CredentialRefused e) {
      return new Refused(e.getMessage());
    }
    if (scheme.equalsIgnoreCase("Basic")) {
      AdminLogin.Outcome login = adminLogin.check(remoteAddress, credential, this::token);
      if (login instanceof AdminLogin.Allowed a) {
        return new Authenticated(a.caller());
      }
      return login instanceof AdminLogin.Busy
          ? new Busy()
          : new Refused("wrong user name or password");
    }
    return new Refused("unknown authentication scheme " + printable(scheme));
  }

  private Caller bearer(String credential) throws CredentialRefused {
    if (ApiTokens.looksLike(credential)) {
      return token(credential)
          .orElseThrow(() -> new CredentialRefused("unknown, expired or revoked API token"));
    }
    if (SlurmJwt.looksLike(credential)) {
      return promoted(jwt.verify(credential));
    }
    throw new CredentialRefused("a Bearer credential is an API token (surge_...) or a Slurm JWT");
  }

  /** The caller of an API token, or of SURGE_ADMIN_TOKEN. */
  public Optional<Caller> token(String credential) {
    if (!ApiTokens.looksLike(credential)) {
      return Optional.empty();
    }
    if (adminTokenHash.isPresent()
        && Secrets.same(Secrets.sha256(credential), adminTokenHash.get())) {
      return Optional.of(new Caller(AdminLogin.USER, Caller.Role.OPERATOR, "token"));
    }
    return tokens.verify(credential);
  }

  private Caller promoted(Caller c) {
    return operators.contains(c.name()) ? new Caller(c.name(), Caller.Role.OPERATOR, c.via()) : c;
  }

  private static String printable(String s) {
    String cut = s.length() > 20 ? s.substring(0, 20) : s;
    return cut.replaceAll("[^A-Za-z0-9_-]", "?");
  }
}
