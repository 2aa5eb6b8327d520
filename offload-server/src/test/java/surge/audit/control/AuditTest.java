package surge.audit.control;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import surge.audit.entity.AuditEntry;
import surge.identity.control.Caller;
import surge.persistence.Database;

class AuditTest {
  private static final Caller ALICE = new Caller("alice", Caller.Role.USER, "munge");
  private static final Caller ROOT = new Caller("root", Caller.Role.OPERATOR, "token");

  private final Database db =
      Database.open(
          "jdbc:h2:mem:audit-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "sa",
          "",
          List.of(AuditEntry.class));
  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final AtomicLong nanos = new AtomicLong();
  private final Audit audit = new Audit(db, clock, Duration.ofDays(365), nanos::get);

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void anEntryKeepsWhoWhatWhenWhereAndHowAndExportsAsOneJsonLine() throws Exception {
    try (var scope = RequestAddress.enter("10.1.2.3")) {
      audit.record(ALICE, "job.submit", "j-000001", "16 tasks of kernel abc");
    }
    var out = new StringWriter();
    audit.export(out, Instant.EPOCH, 100);
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(1);
    JsonObject o = Json.createReader(new StringReader(lines.get(0))).readObject();
    assertThat(o.getString("at")).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(o.getString("actor")).isEqualTo("alice");
    assertThat(o.getString("role")).isEqualTo("user");
    assertThat(o.getString("via")).isEqualTo("munge");
    assertThat(o.getString("address")).isEqualTo("10.1.2.3");
    assertThat(o.getString("action")).isEqualTo("job.submit");
    assertThat(o.getString("target")).isEqualTo("j-000001");
    assertThat(o.getString("detail")).isEqualTo("16 tasks of kernel abc");
  }

  @Test
  void theExportStartsAtSinceKeepsTheOrderAndStopsAtTheLimit() throws Exception {
    for (int i = 0; i < 5; i++) {
      audit.record(ROOT, "job.cancel", "j-00000" + i, "");
      clock.plus(Duration.ofMinutes(1));
    }
    var out = new StringWriter();
    audit.export(out, Instant.parse("2026-12-01T10:01:00Z"), 3);
    assertThat(out.toString().lines())
        .extracting(l -> Json.createReader(new StringReader(l)).readObject().getString("target"))
        .containsExactly("j-000001", "j-000002", "j-000003");
    assertThat(audit.recent(2))
        .extracting(AuditEntry::target)
        .containsExactly("j-000004", "j-000003");
  }

  @Test
  void textIsCleanedOfControlCharactersAndBounded() {
    audit.record(
        new Caller("mal\u001b[2Jlory", Caller.Role.USER, "token"),
        "job.submit",
        "j-1\nforged line",
        "x".repeat(5000) + "\u202e");
    AuditEntry e = audit.recent(1).get(0);
    assertThat(e.actor()).isEqualTo("mal?[2Jlory");
    assertThat(e.target()).isEqualTo("j-1?forged line");
    assertThat(e.detail()).hasSize(AuditEntry.DETAIL).endsWith("…");
    assertThat(AuditText.clean("a\u0000b\u202ec\u2028d\ud83d\ude00", 100))
        .isEqualTo("a?b?c?d\ud83d\ude00");
    assertThat(AuditText.clean("ab\ud83d\ude00", 3)).isEqualTo("ab…");
  }

  @Test
  void entriesOlderThanTheRetentionArePurgedAndNewerOnesKept() {
    audit.record(ALICE, "job.submit", "old", "");
    clock.plus(Duration.ofDays(366));
    audit.record(ALICE, "job.submit", "new", "");
    assertThat(audit.purge()).isEqualTo(1);
    assertThat(audit.recent(10)).extracting(AuditEntry::target).containsExactly("new");
  }

  @Test
  void failedLoginsAreRecordedAtARateAndTheLeftOutOnesCounted() throws Exception {
    try (var scope = RequestAddress.enter("10.9.9.9")) {
      for (int i = 0; i < 50; i++) {
        audit.loginFailed("admin", "password", "dashboard", "wrong password");
      }
    }
    assertThat(audit.recent(100)).hasSize(10).allMatch(e -> e.action().equals("login.failed"));
    nanos.addAndGet(Duration.ofMinutes(1).toNanos());
    try (var scope = RequestAddress.enter("10.9.9.9")) {
      audit.loginFailed("admin", "password", "dashboard", "wrong password");
    }
    assertThat(audit.recent(1).get(0).detail())
        .isEqualTo("wrong password (40 failed logins not recorded)");
    assertThat(audit.recent(1).get(0).address()).isEqualTo("10.9.9.9");
  }

  @Test
  void aPollingDashboardLogsInOnceAnHour() {
    for (int i = 0; i < 20; i++) {
      audit.loggedIn(ROOT);
    }
    nanos.addAndGet(Duration.ofHours(1).toNanos());
    audit.loggedIn(ROOT);
    assertThat(audit.recent(100)).hasSize(2).allMatch(e -> e.action().equals("login"));
  }

  /** A clock tests move forward. */
  static final class MovableClock extends Clock {
    private Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void plus(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
