package surge.identity.control;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import surge.api.Problem;
import surge.identity.control.Caller.Role;
import surge.identity.entity.ApiToken;
import surge.persistence.Database;

/**
 * API tokens: {@code surge_} and 32 random bytes, shown once at creation. Only the sha256 is
 * stored, and a token is found by that hash: the lookup compares hashes of the presented secret, so
 * its timing tells nothing about any stored token.
 */
public final class ApiTokens {
  public static final String PREFIX = "surge_";

  /** A token just created: the only time its secret is seen. */
  public record Issued(
      String id, String token, String user, Role role, Optional<Instant> expiresAt) {}

  /** A token as listed: everything but the secret. */
  public record Listed(
      String id,
      String user,
      Role role,
      Instant createdAt,
      Optional<Instant> expiresAt,
      Optional<Instant> revokedAt,
      String createdBy,
      boolean valid) {}

  private final Database db;
  private final Clock clock;

  public ApiTokens(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** True when {@code credential} has the shape of an API token (not whether it is valid). */
  public static boolean looksLike(String credential) {
    return credential != null && credential.startsWith(PREFIX) && credential.length() < 200;
  }

  public Issued create(String user, Role role, Optional<Duration> lifetime, String createdBy) {
    UserNames.require("user", user);
    lifetime
        .filter(d -> d.isNegative() || d.isZero())
        .ifPresent(
            d -> {
              throw Problem.badField("expires", "expires must be a positive duration such as 90d");
            });
    Instant now = clock.instant();
    Optional<Instant> expires = lifetime.map(now::plus);
    String secret = Secrets.generate(PREFIX);
    String id = Secrets.id("t-");
    db.run(
        s ->
            s.persist(
                new ApiToken(
                    id,
                    Secrets.sha256(secret),
                    user,
                    role.wire(),
                    now,
                    expires.orElse(null),
                    createdBy)));
    return new Issued(id, secret, user, role, expires);
  }

  /** The caller a valid token stands for; empty for an unknown, revoked or expired one. */
  public Optional<Caller> verify(String token) {
    return find(token)
        .filter(t -> t.validAt(clock.instant()))
        .map(t -> new Caller(t.user(), role(t.role()), "token"));
  }

  /** Whether this secret was ever issued here (valid, expired or revoked). */
  public boolean known(String token) {
    return find(token).isPresent();
  }

  private Optional<ApiToken> find(String token) {
    if (!looksLike(token)) {
      return Optional.empty();
    }
    String hash = Secrets.sha256(token);
    return db.transaction(
        s ->
            s.createSelectionQuery("from ApiToken t where t.sha256 = :h", ApiToken.class)
                .setParameter("h", hash)
                .uniqueResultOptional());
  }

  public List<Listed> list() {
    Instant now = clock.instant();
    return db
        .transaction(
            s ->
                s.createSelectionQuery("from ApiToken t order by t.createdAt", ApiToken.class)
                    .getResultList())
        .stream()
        .map(
            t ->
                new Listed(
                    t.id(),
                    t.user(),
                    role(t.role()),
                    t.createdAt(),
                    t.expiresAt(),
                    t.revokedAt(),
                    t.createdBy(),
                    t.validAt(now)))
        .toList();
  }

  /** Revokes the token with this id; false if there is none. */
  public boolean revoke(String id) {
    Instant now = clock.instant();
    return db.transaction(
        s -> {
          ApiToken t = s.find(ApiToken.class, id);
          if (t == null) {
            return false;
          }
          t.revoke(now);
          return true;
        });
  }

  private static Role role(String wire) {
    return Role.valueOf(wire.toUpperCase(java.util.Locale.ROOT));
  }
}
