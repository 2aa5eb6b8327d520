package surge.consent.control;

import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.io.Writer;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import surge.api.Problem;
import surge.consent.entity.ConsentRecord;
import surge.consent.entity.DeclineCount;
import surge.persistence.Database;

/**
 * Consents given, declined and revoked: issues the signed tokens, keeps the audit records, refuses
 * revoked tokens and tells whoever watches a consent (the volunteer sessions that said hello with
 * it) the moment it is revoked.
 */
public final class Consents {
  private static final JsonProvider JSON = JsonProvider.provider();

  private final Database db;
  private final ConsentTokens tokens;
  private final Projects projects;
  private final Clock clock;

  /** Ids of revoked consents; a revoked token is refused without a database read. */
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();

  private final Map<String, Set<Runnable>> watchers = new ConcurrentHashMap<>();

  public Consents(Database db, ConsentTokens tokens, Projects projects, Clock clock) {
    this.db = db;
    this.tokens = tokens;
    this.projects = projects;
    this.clock = clock;
    Instant now = clock.instant();
    revoked.addAll(
        db.transaction(
            s ->
                s.createSelectionQuery(
                        "select c.id from ConsentRecord c"
                            + " where c.revokedAt is not null and c.expiresAt > :now",
                        String.class)
                    .setParameter("now", now)
                    .list()));
  }

  public Projects projects() {
    return projects;
  }

  /** Records a consent to the current revision of a project and answers its token. */
  public ConsentTokens.Issued give(String site, String projectId, int revision, int cpu) {
    current(projectId, revision);
    var issued = tokens.issue(site, projectId, revision, cpu);
    var c = issued.consent();
    db.run(
        s ->
            s.persist(
                new ConsentRecord(
                    c.id(),
                    c.site(),
                    c.project(),
                    c.revision(),
                    c.cpu(),
                    c.issuedAt(),
                    c.expiresAt())));
    return issued;
  }

  /** Counts a decline; nothing else about it is kept. */
  public void decline(String site, String projectId, int revision) {
    current(projectId, revision);
    LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    String key = DeclineCount.key(site, projectId, revision, day);
    // One writer at a time, so that two declines of the same day never race to insert the row.
    synchronized (this) {
      db.run(
          s -> {
            DeclineCount count = s.find(DeclineCount.class, key);
            if (count == null) {
              count = new DeclineCount(site, projectId, revision, day);
              s.persist(count);
            }
            count.add();
          });
    }
  }

  /**
   * Revokes the consent of a token signed by this server (expired or not): it is refused from now
   * on, and every watcher of it is told at once.
   *
   * @throws Problem 400 when the token is not one of this server's
   */
  public void revoke(String token) {
    String id;
    try {
      id = tokens.read(token).id();
    } catch (ConsentTokens.Invalid e) {
      throw Problem.badField("token", e.getMessage());
    }
    revoked.add(id);
    Instant now = clock.instant();
    db.run(
        s -> {
          ConsentRecord record = s.find(ConsentRecord.class, id);
          if (record != null) {
            record.revoke(now);
          }
        });
    var hooks = watchers.remove(id);
    if (hooks != null) {
      hooks.forEach(Runnable::run);
    }
  }

  /** A valid token: signed here, unexpired and not revoked. */
  public ConsentTokens.Consent verify(String token) throws ConsentTokens.Invalid {
    var consent = tokens.verify(token);
    if (revoked.contains(consent.id())) {
      throw new ConsentTokens.Invalid("the consent was revoked");
    }
    return consent;
  }

  /**
   * Runs {@code onRevoke} when the consent is revoked, unless the answered handle is closed first
   * (the session ended) by running the answered unwatch. A consent revoked already runs it at once.
   */
  public Runnable watch(String consentId, Runnable onRevoke) {
    Set<Runnable> hooks = watchers.computeIfAbsent(consentId, k -> new CopyOnWriteArraySet<>());
    hooks.add(onRevoke);
    if (revoked.contains(consentId) && hooks.remove(onRevoke)) {
      onRevoke.run();
    }
    return () ->
        watchers.computeIfPresent(
            consentId,
            (k, set) -> {
              set.remove(onRevoke);
              return set.isEmpty() ? null : set;
            });
  }

  public record Counts(long accepted, long declined, long revoked) {}

  public Counts counts() {
    return db.transaction(
        s ->
            new Counts(
                s.createSelectionQuery("select count(c) from ConsentRecord c", Long.class)
                    .getSingleResult(),
                s.createSelectionQuery(
                        "select coalesce(sum(d.declines), 0) from DeclineCount d", Long.class)
                    .getSingleResult(),
                s.createSelectionQuery(
                        "select count(c) from ConsentRecord c where c.revokedAt is not null",
                        Long.class)
                    .getSingleResult()));
  }

  /**
   * Writes the audit export as JSON lines: one {@code "kind":"consent"} line per consent, then one
   * {@code "kind":"declines"} line per site, project, revision and day.
   */
  public void export(Writer out) throws IOException {
    var consents =
        db.transaction(
            s ->
                s.createSelectionQuery(
                        "from ConsentRecord c order by c.issuedAt", ConsentRecord.class)
                    .list());
    for (ConsentRecord c : consents) {
      var line =
          JSON.createObjectBuilder()
              .add("kind", "consent")
              .add("id", c.id())
              .add("site", c.site())
              .add("project", c.project())
              .add("revision", c.revision())
              .add("cpu", c.cpu())
              .add("issuedAt", c.issuedAt().toString())
              .add("expiresAt", c.expiresAt().toString());
      c.revokedAt()
          .ifPresentOrElse(
              t -> line.add("revokedAt", t.toString()), () -> line.addNull("revokedAt"));
      out.write(line.build().toString());
      out.write('\n');
    }
    var declines =
        db.transaction(
            s ->
                s.createSelectionQuery(
                        "from DeclineCount d order by d.day, d.id", DeclineCount.class)
                    .list());
    for (DeclineCount d : declines) {
      out.write(
          JSON.createObjectBuilder()
              .add("kind", "declines")
              .add("site", d.site())
              .add("project", d.project())
              .add("revision", d.revision())
              .add("day", d.day().toString())
              .add("count", d.count())
              .build()
              .toString());
      out.write('\n');
    }
    out.flush();
  }

  private Project current(String projectId, int revision) {
    Project p =
        projects
            .find(projectId)
            .orElseThrow(() -> Problem.badField("project", "no project '" + projectId + "'"));
    if (p.revision() != revision) {
      throw Problem.badField(
          "revision",
          "project "
              + p.id()
              + " is at revision "
              + p.revision()
              + ", not "
              + revision
              + ": show the visitor the current request");
    }
    return p;
  }
}
