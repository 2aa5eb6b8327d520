package surge.rescue.control;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import surge.persistence.Database;
import surge.rescue.entity.Rescue;

/**
 * The jobs the rescuer moved: stored, and kept in memory so that the dispatcher's deadline check
 * (under its lock) and each poll look them up without the database.
 */
public final class Rescues {
  private final Database db;
  private final Map<String, Rescue> bySlurmJobId = new ConcurrentHashMap<>();

  public Rescues(Database db) {
    this.db = db;
    db.transaction(s -> s.createSelectionQuery("from Rescue", Rescue.class).getResultList())
        .forEach(r -> bySlurmJobId.put(r.slurmJobId(), r));
  }

  public Optional<Rescue> find(String slurmJobId) {
    return Optional.ofNullable(bySlurmJobId.get(slurmJobId));
  }

  void moved(Rescue rescue) {
    db.run(s -> s.persist(rescue));
    bySlurmJobId.put(rescue.slurmJobId(), rescue);
  }

  void handedBack(String slurmJobId, Instant at, String note) {
    Rescue stored =
        db.transaction(
            s -> {
              Rescue r = s.find(Rescue.class, slurmJobId);
              r.handedBack(at, note);
              return r;
            });
    bySlurmJobId.put(slurmJobId, stored);
  }
}
