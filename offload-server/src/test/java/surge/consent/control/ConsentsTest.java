package surge.consent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import surge.api.Problem;
import surge.consent.entity.ConsentRecord;
import surge.consent.entity.DeclineCount;
import surge.persistence.Database;

class ConsentsTest {
  final Instant t0 = Instant.parse("2026-11-23T12:00:00Z");
  final Clock clock = Clock.fixed(t0, ZoneOffset.UTC);
  final Database db =
      Database.open(
          "jdbc:h2:mem:consents-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "sa",
          "",
          List.of(ConsentRecord.class, DeclineCount.class));
  final ConsentTokens tokens = new ConsentTokens(ConsentTokensTest.KEY, Duration.ofHours(1), clock);
  final Consents consents = consents();

  Consents consents() {
    return new Consents(db, tokens, Projects.of("Centre", Optional.empty()), clock);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aConsentIsRecordedWithoutAnythingPersonalAndItsTokenVerifies() throws Exception {
    var issued = consents.give("https://site.example", "demo", 1, 50);
    var c = consents.verify(issued.token());
    assertThat(c.project()).isEqualTo("demo");
    var out = new StringWriter();
    consents.export(out);
    assertThat(out.toString().lines())
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("\"kind\":\"consent\"")
                    .contains("\"id\":\"" + c.id() + "\"")
                    .contains("\"site\":\"https://site.example\"")
                    .contains("\"cpu\":50")
                    .contains("\"revokedAt\":null"));
    assertThat(consents.counts()).isEqualTo(new Consents.Counts(1, 0, 0));
  }

  @Test
  void anUnknownProjectOrAnOldRevisionIsRefusedNamingTheField() {
    assertThatThrownBy(() -> consents.give("s", "nope", 1, 50))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.field()).hasValue("project"));
    assertThatThrownBy(() -> consents.give("s", "demo", 0, 50))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.field()).hasValue("revision"))
        .hasMessageContaining("revision 1");
    assertThatThrownBy(() -> consents.decline("s", "demo", 2)).isInstanceOf(Problem.class);
  }

  @Test
  void aRevokedTokenIsRefusedEvenAfterARestartAndItsWatchersAreToldAtOnce() throws Exception {
    var issued = consents.give("https://site.example", "demo", 1, 50);
    var other = consents.give("https://site.example", "demo", 1, 25);
    var told = new AtomicInteger();
    consents.watch(issued.consent().id(), told::incrementAndGet);
    var unwatched = new AtomicInteger();
    consents.watch(issued.consent().id(), unwatched::incrementAndGet).run();
    var otherTold = new AtomicInteger();
    consents.watch(other.consent().id(), otherTold::incrementAndGet);

    consents.revoke(issued.token());

    assertThat(told).hasValue(1);
    assertThat(unwatched).as("unwatched before the revocation").hasValue(0);
    assertThat(otherTold).hasValue(0);
    assertThatThrownBy(() -> consents.verify(issued.token())).hasMessageContaining("revoked");
    assertThat(consents.verify(other.token()).id()).isEqualTo(other.consent().id());
    assertThatThrownBy(() -> consents().verify(issued.token()))
        .as("a restarted server")
        .hasMessageContaining("revoked");
    var late = new AtomicInteger();
    consents.watch(issued.consent().id(), late::incrementAndGet);
    assertThat(late).as("watching a revoked consent").hasValue(1);
    assertThat(consents.counts()).isEqualTo(new Consents.Counts(2, 0, 1));
    var out = new StringWriter();
    consents.export(out);
    assertThat(out.toString()).contains("\"revokedAt\":\"" + t0 + "\"");
  }

  @Test
  void revokingAForgedTokenIsABadRequest() {
    String forged =
        new ConsentTokens(
                "another key of thirty-two bytes!!".getBytes(), Duration.ofHours(1), clock)
            .issue("s", "demo", 1, 50)
            .token();
    assertThatThrownBy(() -> consents.revoke(forged))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(400));
  }

  @Test
  void declinesAreOnlyCountedPerSiteProjectRevisionAndDay() throws Exception {
    consents.decline("https://a.example", "demo", 1);
    consents.decline("https://a.example", "demo", 1);
    consents.decline("https://b.example", "demo", 1);
    assertThat(consents.counts()).isEqualTo(new Consents.Counts(0, 3, 0));
    var out = new StringWriter();
    consents.export(out);
    assertThat(out.toString().lines())
        .containsExactlyInAnyOrder(
            "{\"kind\":\"declines\",\"site\":\"https://a.example\",\"project\":\"demo\","
                + "\"revision\":1,\"day\":\"2026-11-23\",\"count\":2}",
            "{\"kind\":\"declines\",\"site\":\"https://b.example\",\"project\":\"demo\","
                + "\"revision\":1,\"day\":\"2026-11-23\",\"count\":1}");
  }
}
