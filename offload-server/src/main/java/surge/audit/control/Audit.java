package surge.audit.control;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.io.Writer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import org.hibernate.Session;
import surge.audit.entity.AuditEntry;
import surge.config.Rate;
import surge.identity.control.Caller;
import surge.persistence.Database;
import surge.quotas.control.TokenBucket;

/**
 * The audit log: who submitted, cancelled, approved, revoked, created credentials and logged in,
 * when, from which address, with which kind of credential. Entries are only ever added (and purged
 * after {@code SURGE_AUDIT_RETENTION}); every text is cleaned and bounded ({@link AuditText}).
 *
 * <p>Actions are dotted words: {@code job.submit}, {@code job.cancel}, {@code kernel.approve},
 * {@code kernel.revoke}, {@code token.create}, {@code token.revoke}, {@code key.create}, {@code
 * key.revoke}, {@code login}, {@code login.failed}.
 */
public final class Audit {
  private static final Logger LOG = Logger.getLogger(Audit.class.getName());
  private static final JsonProvider JSON = JsonProvider.provider();

  /** Most entries one export answers. */
  public static final int MAX_EXPORT = 10_000;

  private static final String NO_ADDRESS = "-";

  private final Database db;
  private final Clock clock;
  private final Duration retention;

  /**
   * Failed logins are recorded at most this often per address and overall, so a password guesser
   * cannot fill the database; the ones left out are counted in the next recorded one.
   */
  private final TokenBucket failuresPerAddress;

  private final TokenBucket failuresOverall;
  private final AtomicLong failuresLeftOut = new AtomicLong();

  /**
   * A dashboard that polls with HTTP Basic logs in on every request: one entry an hour is enough.
   */
  private final TokenBucket logins;

  public Audit(Database db, Clock clock, Duration retention, LongSupplier nanos) {
    this.db = db;
    this.clock = clock;
    this.retention = retention;
    this.failuresPerAddress = new TokenBucket(new Rate(10, Duration.ofMinutes(1)), nanos);
    this.failuresOverall = new TokenBucket(new Rate(100, Duration.ofMinutes(1)), nanos);
    this.logins = new TokenBucket(new Rate(1, Duration.ofHours(1)), nanos);
  }

  /** Records an action in its own transaction (the request's address, if any, is taken along). */
  public void record(Caller caller, String action, String target, String detail) {
    db.run(s -> record(s, caller, action, target, detail));
  }

  /**
   * Records an action in the caller's transaction {@code s}, so the entry is stored exactly when
   * the action is.
   */
  public void record(Session s, Caller caller, String action, String target, String detail) {
    s.persist(entry(caller.name(), caller.role().wire(), caller.via(), action, target, detail));
  }

  /** A successful dashboard login: recorded once an hour per user, credential kind and address. */
  public void loggedIn(Caller caller) {
    String address = RequestAddress.current().orElse(NO_ADDRESS);
    if (logins.take(caller.name() + '\n' + caller.via() + '\n' + address).isEmpty()) {
      record(caller, "login", "dashboard", "");
    }
  }

  /**
   * A refused credential ({@code claimed}: the user name the request gave, if any; {@code via}: the
   * credential kind tried; {@code where}: {@code dashboard} or {@code api}; {@code why}: the
   * refusal). Rate-limited; see {@link #failuresLeftOut}.
   */
  public void loginFailed(String claimed, String via, String where, String why) {
    String address = RequestAddress.current().orElse(NO_ADDRESS);
    if (failuresPerAddress.take(address).isPresent() || failuresOverall.take("").isPresent()) {
      failuresLeftOut.incrementAndGet();
      return;
    }
    long leftOut = failuresLeftOut.getAndSet(0);
    String detail = leftOut == 0 ? why : why + " (" + leftOut + " failed logins not recorded)";
    String actor = claimed == null || claimed.isBlank() ? "-" : claimed;
    db.run(s -> s.persist(entry(actor, "-", via, "login.failed", where, detail)));
  }

  private AuditEntry entry(
      String actor, String role, String via, String action, String target, String detail) {
    return new AuditEntry(
        clock.instant(),
        AuditText.clean(actor, AuditEntry.ACTOR),
        AuditText.clean(role, AuditEntry.ROLE),
        AuditText.clean(via, AuditEntry.VIA),
        AuditText.clean(RequestAddress.current().orElse(NO_ADDRESS), AuditEntry.ADDRESS),
        AuditText.clean(action, AuditEntry.ACTION),
        AuditText.clean(target, AuditEntry.TARGET),
        AuditText.clean(detail, AuditEntry.DETAIL));
  }

  /** Entries at or after {@code since}, oldest first, at most {@code limit}. */
  public List<AuditEntry> since(Instant since, int limit) {
    return db.transaction(
        s ->
            s.createSelectionQuery(
                    "from AuditEntry a where a.at >= :since order by a.at, a.id", AuditEntry.class)
                .setParameter("since", since)
                .setMaxResults(Math.min(limit, MAX_EXPORT))
                .getResultList());
  }

  /** The newest {@code n} entries, newest first (the dashboard's table). */
  public List<AuditEntry> recent(int n) {
    return db.transaction(
        s ->
            s.createSelectionQuery(
                    "from AuditEntry a order by a.at desc, a.id desc", AuditEntry.class)
                .setMaxResults(n)
                .getResultList());
  }

  /** Writes entries at or after {@code since} as JSON lines, oldest first. */
  public void export(Writer out, Instant since, int limit) throws IOException {
    for (AuditEntry e : since(since, limit)) {
      out.write(json(e).toString());
      out.write('\n');
    }
    out.flush();
  }

  /** One entry as the export and the dashboard show it. */
  public static JsonObject json(AuditEntry e) {
    return JSON.createObjectBuilder()
        .add("id", e.id())
        .add("at", e.at().toString())
        .add("actor", e.actor())
        .add("role", e.role())
        .add("via", e.via())
        .add("address", e.address())
        .add("action", e.action())
        .add("target", e.target())
        .add("detail", e.detail())
        .build();
  }

  /** Deletes entries older than the retention; answers how many. Run daily. */
  public int purge() {
    Instant before = clock.instant().minus(retention);
    int n =
        db.transaction(
            s ->
                s.createMutationQuery("delete from AuditEntry a where a.at < :before")
                    .setParameter("before", before)
                    .executeUpdate());
    if (n > 0) {
      LOG.info(() -> "audit: purged " + n + " entries older than " + retention);
    }
    return n;
  }
}
