package surge.identity.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.api.Hashes;
import surge.api.Problem;
import surge.identity.control.Caller.Role;
import surge.identity.entity.ApiToken;
import surge.identity.entity.VolunteerKey;
import surge.persistence.Database;

class ApiTokensTest {
  final TestClock clock = new TestClock(Instant.parse("2026-12-03T12:00:00Z"));
  final Database db =
      Database.open(
          "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "sa",
          "",
          List.of(ApiToken.class, VolunteerKey.class));
  final ApiTokens tokens = new ApiTokens(db, clock);

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aNewTokenIsRandomShownOnceAndStoredOnlyAsItsHash() {
    var a = tokens.create("alice", Role.USER, Optional.empty(), "admin");
    var b = tokens.create("alice", Role.USER, Optional.empty(), "admin");
    assertThat(a.token()).startsWith("surge_").hasSize(6 + 43).isNotEqualTo(b.token());
    String stored = db.transaction(s -> s.find(ApiToken.class, a.id())).sha256();
    assertThat(stored).isEqualTo(Hashes.sha256(a.token().getBytes())).doesNotContain(a.token());
    assertThat(tokens.verify(a.token())).contains(new Caller("alice", Role.USER, "token"));
  }

  @Test
  void unknownMalformedAndAlteredTokensAreRefused() {
    var a = tokens.create("alice", Role.OPERATOR, Optional.empty(), "admin");
    assertThat(tokens.verify(a.token()).orElseThrow().operator()).isTrue();
    char last = a.token().charAt(a.token().length() - 1);
    String altered = a.token().substring(0, a.token().length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThat(tokens.verify(altered)).isEmpty();
    assertThat(tokens.verify("surge_")).isEmpty();
    assertThat(tokens.verify("not-a-token")).isEmpty();
    assertThat(tokens.verify(null)).isEmpty();
  }

  @Test
  void anExpiredTokenIsRefused() {
    var a = tokens.create("alice", Role.USER, Optional.of(Duration.ofDays(90)), "admin");
    assertThat(a.expiresAt()).contains(Instant.parse("2027-03-03T12:00:00Z"));
    clock.advance(Duration.ofDays(89));
    assertThat(tokens.verify(a.token())).isPresent();
    clock.advance(Duration.ofDays(1));
    assertThat(tokens.verify(a.token())).isEmpty();
    assertThat(tokens.known(a.token())).isTrue();
  }

  @Test
  void aRevokedTokenIsRefusedAndListedAsRevoked() {
    var a = tokens.create("alice", Role.USER, Optional.empty(), "root");
    var b = tokens.create("bob", Role.USER, Optional.empty(), "root");
    assertThat(tokens.revoke(a.id())).isTrue();
    assertThat(tokens.revoke("t-nosuchtoken")).isFalse();
    assertThat(tokens.verify(a.token())).isEmpty();
    assertThat(tokens.verify(b.token())).isPresent();
    var listed = tokens.list();
    assertThat(listed).extracting(ApiTokens.Listed::id).containsExactly(a.id(), b.id());
    assertThat(listed.get(0).revokedAt()).isPresent();
    assertThat(listed.get(0).valid()).isFalse();
    assertThat(listed.get(0).createdBy()).isEqualTo("root");
    assertThat(listed.get(1).valid()).isTrue();
  }

  @Test
  void badUserNamesAndLifetimesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> tokens.create("al ice", Role.USER, Optional.empty(), "admin"))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.field()).contains("user"));
    assertThatThrownBy(() -> tokens.create("alice\n", Role.USER, Optional.empty(), "admin"))
        .isInstanceOf(Problem.class);
    assertThatThrownBy(() -> tokens.create("alice", Role.USER, Optional.of(Duration.ZERO), "admin"))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.field()).contains("expires"));
  }

  @Test
  void theFirstStartWritesAnOperatorTokenReadableByTheOwnerAlone(@TempDir Path dir)
      throws Exception {
    assertThat(AdminTokenFile.ensure(dir, tokens)).contains(dir.resolve("admin-token"));
    Path file = dir.resolve("admin-token");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    String token = Files.readString(file).strip();
    assertThat(tokens.verify(token)).contains(new Caller("admin", Role.OPERATOR, "token"));
    assertThat(AdminTokenFile.ensure(dir, tokens)).as("kept on the next start").isEmpty();
    assertThat(Files.readString(file).strip()).isEqualTo(token);
    tokens.revoke(tokens.list().get(0).id());
    assertThat(AdminTokenFile.ensure(dir, tokens)).as("a revoked one is not renewed").isEmpty();
  }

  @Test
  void aTokenFileFromAnotherDatabaseIsReplaced(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("admin-token"), "surge_from-a-database-that-is-gone\n");
    assertThat(AdminTokenFile.ensure(dir, tokens)).isPresent();
    assertThat(tokens.verify(Files.readString(dir.resolve("admin-token")).strip())).isPresent();
  }

  @Test
  void volunteerKeysAreRandomHashedRevocableAndCarryTrust() {
    var keys = new VolunteerKeys(db, clock);
    var k = keys.create("node-17", true);
    var u = keys.create("laptop", false);
    assertThat(k.key()).startsWith("surgevk_").hasSize(8 + 43);
    assertThat(keys.verify(k.key())).contains(new VolunteerKeys.Machine(k.id(), "node-17", true));
    assertThat(keys.verify(u.key()).orElseThrow().trusted()).isFalse();
    assertThat(keys.verify(k.key() + "x")).isEmpty();
    assertThat(keys.verify("surge_" + k.key())).isEmpty();
    assertThat(keys.revoke(k.id())).isTrue();
    assertThat(keys.verify(k.key())).isEmpty();
    assertThat(keys.list()).hasSize(2);
    assertThat(keys.list().get(0).revokedAt()).isPresent();
    assertThatThrownBy(() -> keys.create(" ", false)).isInstanceOf(Problem.class);
  }
}
