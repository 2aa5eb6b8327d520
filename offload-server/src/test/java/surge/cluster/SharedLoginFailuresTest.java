package surge.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import surge.admin.control.LoginThrottle;
import surge.persistence.Database;
import surge.testing.EmbeddedPostgresExtension;

/**
 * Two instances' login throttles on one real PostgreSQL: a guesser who alternates between them
 * waits as long as on one instance (per instance, each would have counted half the failures).
 */
class SharedLoginFailuresTest {
  @RegisterExtension
  static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

  static final List<Database> dbs = new ArrayList<>();

  final AtomicLong sleptA = new AtomicLong();
  final AtomicLong sleptB = new AtomicLong();

  LoginThrottle instance(AtomicLong slept, int budget) {
    var db = Database.open(postgres.jdbcUrl(), postgres.user(), "", Instances.ENTITIES);
    dbs.add(db);
    return new LoginThrottle(
        100,
        Duration.ofSeconds(5),
        budget,
        System::currentTimeMillis,
        slept::addAndGet,
        new SharedLoginFailures(db));
  }

  @BeforeEach
  void empty() {
    var db = Database.open(postgres.jdbcUrl(), postgres.user(), "", Instances.ENTITIES);
    db.run(
        s ->
            s.doWork(
                c -> {
                  try (var st = c.createStatement()) {
                    st.execute("truncate login_failures");
                  }
                }));
    db.close();
  }

  @AfterAll
  static void close() {
    dbs.forEach(Database::close);
  }

  @Test
  void failuresOnEitherInstanceDoubleTheWaitOnBoth() throws Exception {
    var a = instance(sleptA, 300);
    var b = instance(sleptB, 300);
    assertThat(a.attempt("10.0.0.9", () -> false)).isFalse(); // 1 failure: no wait before it
    assertThat(b.attempt("10.0.0.9", () -> false)).isFalse(); // waited 250 ms
    assertThat(a.attempt("10.0.0.9", () -> false)).isFalse(); // waited 500 ms
    assertThat(sleptB.get()).isEqualTo(250);
    assertThat(sleptA.get()).isEqualTo(500);
    assertThat(b.delayMillis("10.0.0.9")).as("after 3 failures over two instances").isEqualTo(1000);
    assertThat(b.delayMillis("10.0.0.10")).as("another address").isZero();
    // The right password, on either instance, forgets the address's failures on both.
    assertThat(b.attempt("10.0.0.9", () -> true)).isTrue();
    assertThat(a.delayMillis("10.0.0.9")).isZero();
  }

  @Test
  void theBudgetOfFailuresPerMinuteIsTheClustersNotEachInstances() throws Exception {
    var a = instance(sleptA, 4);
    var b = instance(sleptB, 4);
    for (int i = 0; i < 2; i++) {
      a.attempt("10.1.0." + i, () -> false);
      b.attempt("10.2.0." + i, () -> false);
    }
    assertThat(a.delayMillis("10.3.0.1"))
        .as("a fresh address, once the cluster's budget is spent")
        .isEqualTo(5000);
    assertThat(b.delayMillis("10.3.0.1")).isEqualTo(5000);
  }

  @Test
  void anAddressThatCannotBeARowKeyIsHashedAndTheMinutesRowIsNeverAnAddress() {
    assertThat(SharedLoginFailures.key("*")).startsWith("h:").hasSize(50);
    assertThat(SharedLoginFailures.key("x".repeat(500))).startsWith("h:").hasSize(50);
    assertThat(SharedLoginFailures.key("2001:db8::1")).isEqualTo("2001:db8::1");
  }
}
