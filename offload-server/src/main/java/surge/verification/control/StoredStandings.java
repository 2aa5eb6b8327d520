package surge.verification.control;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.audit.control.Audit;
import surge.dispatch.Standing;
import surge.dispatch.Standings;
import surge.identity.control.Caller;
import surge.persistence.Database;
import surge.verification.entity.VolunteerStanding;

/**
 * Volunteers' standings, kept in memory while they are used and written to the database in batches
 * ({@link #flush}, every second from the server's ticker): the dispatcher changes them on its hot
 * path and never waits for a write. A blacklisting is also an audit event.
 */
public final class StoredStandings implements Standings {
  private static final Logger LOG = Logger.getLogger(StoredStandings.class.getName());

  private final Database db;
  private final Clock clock;
  private final Audit audit;
  private final Map<String, Standing> cache = new ConcurrentHashMap<>();
  private final Set<Standing> dirty = ConcurrentHashMap.newKeySet();
  private final java.util.Queue<String[]> caught =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  public StoredStandings(Database db, Clock clock, Audit audit) {
    this.db = db;
    this.clock = clock;
    this.audit = audit;
  }

  /**
   * The standing of {@code identity}, read from the database the first time; a new identity starts
   * with no record. {@code trusted} is what its credential says now (a key can be re-issued).
   */
  public Standing load(String identity, boolean trusted) {
    Standing known = cache.get(identity);
    if (known != null && known.trusted() == trusted) {
      return known;
    }
    VolunteerStanding row = db.transaction(s -> s.find(VolunteerStanding.class, identity));
    Standing loaded =
        row == null
            ? new Standing(identity, trusted)
            : new Standing(
                identity,
                trusted,
                row.spotPassed(),
                row.spotFailed(),
                row.agreements(),
                row.disagreements(),
                row.barredEverywhere(),
                row.barredOwners(),
                row.caughtFor());
    Standing raced = cache.putIfAbsent(identity, loaded);
    if (raced != null && raced.trusted() == trusted) {
      return raced;
    }
    cache.put(identity, loaded);
    return loaded;
  }

  @Override
  public void changed(Standing standing) {
    dirty.add(standing);
  }

  /** Audited with the next flush: the dispatcher calls this under its lock. */
  @Override
  public void caught(Standing standing, String job, String why) {
    dirty.add(standing);
    caught.add(new String[] {standing.identity(), "caught on " + job + ": " + why});
  }

  /** Writes the standings changed since the last flush, and audits blacklistings. */
  public void flush() {
    for (String[] c = caught.poll(); c != null; c = caught.poll()) {
      try {
        audit.record(Caller.system("verification"), "volunteer.blacklist", c[0], c[1]);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "could not audit the blacklisting of " + c[0], e);
      }
    }
    if (dirty.isEmpty()) {
      return;
    }
    List<Standing> batch = List.copyOf(dirty);
    dirty.removeAll(batch);
    try {
      db.run(
          s -> {
            for (Standing st : batch) {
              var h = st.history();
              VolunteerStanding row = s.find(VolunteerStanding.class, st.identity());
              if (row == null) {
                row = new VolunteerStanding(st.identity(), st.trusted(), clock.instant());
                s.persist(row);
              }
              row.update(
                  st.trusted(),
                  h.spotChecksPassed(),
                  h.spotChecksFailed(),
                  h.agreements(),
                  h.disagreements(),
                  st.barredEverywhere(),
                  st.barredOwners(),
                  st.caughtFor(),
                  clock.instant());
            }
          });
    } catch (RuntimeException e) {
      dirty.addAll(batch); // written with the next flush
      LOG.log(Level.WARNING, "could not store " + batch.size() + " volunteer standings", e);
    }
  }

  /** Every stored standing, for the dashboard and /metrics (most recently changed first). */
  public List<VolunteerStanding> all(int limit) {
    flush();
    return db.transaction(
        s ->
            s.createSelectionQuery(
                    "from VolunteerStanding v order by v.updatedAt desc", VolunteerStanding.class)
                .setMaxResults(limit)
                .getResultList());
  }
}
