package surge.identity.control;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import surge.api.Problem;
import surge.identity.entity.VolunteerKey;
import surge.persistence.Database;

/**
 * Keys for the centre's own volunteer machines (headless {@code bin/surge-volunteer --key}): {@code
 * surgevk_} and 32 random bytes, shown once, stored as sha256, found by that hash.
 */
public final class VolunteerKeys {
  public static final String PREFIX = "surgevk_";

  public record Issued(String id, String key, String name, boolean trusted) {}

  /** A machine that proved itself with a valid key. */
  public record Machine(String id, String name, boolean trusted) {}

  public record Listed(
      String id, String name, boolean trusted, Instant createdAt, Optional<Instant> revokedAt) {}

  private final Database db;
  private final Clock clock;

  public VolunteerKeys(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Issued create(String name, boolean trusted) {
    if (name == null
        || name.isBlank()
        || name.length() > 200
        || name.chars().anyMatch(c -> c < 32)) {
      throw Problem.badField("name", "name must be 1 to 200 printable characters");
    }
    String key = Secrets.generate(PREFIX);
    String id = Secrets.id("vk-");
    db.run(
        s -> s.persist(new VolunteerKey(id, Secrets.sha256(key), name, trusted, clock.instant())));
    return new Issued(id, key, name, trusted);
  }

  /** The machine a valid, unrevoked key belongs to; empty otherwise. */
  public Optional<Machine> verify(String key) {
    if (key == null || !key.startsWith(PREFIX) || key.length() > 200) {
      return Optional.empty();
    }
    String hash = Secrets.sha256(key);
    return db.transaction(
            s ->
                s.createSelectionQuery(
                        "from VolunteerKey k where k.sha256 = :h", VolunteerKey.class)
                    .setParameter("h", hash)
                    .uniqueResultOptional())
        .filter(k -> !k.revoked())
        .map(k -> new Machine(k.id(), k.name(), k.trusted()));
  }

  public List<Listed> list() {
    return db
        .transaction(
            s ->
                s.createSelectionQuery(
                        "from VolunteerKey k order by k.createdAt", VolunteerKey.class)
                    .getResultList())
        .stream()
        .map(k -> new Listed(k.id(), k.name(), k.trusted(), k.createdAt(), k.revokedAt()))
        .toList();
  }

  public boolean revoke(String id) {
    Instant now = clock.instant();
    return db.transaction(
        s -> {
          VolunteerKey k = s.find(VolunteerKey.class, id);
          if (k == null) {
            return false;
          }
          k.revoke(now);
          return true;
        });
  }
}
