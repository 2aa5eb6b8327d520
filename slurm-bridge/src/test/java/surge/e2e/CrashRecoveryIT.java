package surge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SIGKILL the server in the middle of a job, start it again on the same database, and get the
 * identical merged result with no task lost, on H2 (the default) and on PostgreSQL.
 */
class CrashRecoveryIT {
  @TempDir static Path dir;
  static EmbeddedPostgres postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  static Stream<String> databases() {
    return Stream.of("h2", "postgres");
  }

  static final Pattern DONE = Pattern.compile("\"done\":(\\d+)");
  static final Pattern STATE = Pattern.compile("\"state\":\"(\\w+)\"");

  @ParameterizedTest
  @MethodSource("databases")
  void aJobInterruptedBySigkillFinishesWithTheSameResult(String db) throws Exception {
    Map<String, String> env = new HashMap<>();
    if (db.equals("postgres")) {
      env.put("SURGE_DB_URL", postgres.getJdbcUrl("postgres", "postgres"));
      env.put("SURGE_DB_USER", "postgres");
    }
    int tasks = 40;
    String samples = "20000000";
    try (var cluster = new Cluster(dir.resolve(db), env)) {
      cluster.startServer();
      cluster.startVolunteers(2);
      cluster.awaitVolunteers(2);
      var submitted =
          cluster.surge(
              "submit",
              "--kernel",
              Cluster.kernel("montecarlo").toString(),
              "--tasks",
              "" + tasks,
              "--arg",
              samples,
              "--merge",
              "sum");
      assertThat(submitted.exitCode()).as(submitted.stderr()).isZero();
      String job = submitted.out().trim();
      assertThat(job).startsWith("j-");

      int doneBefore = awaitDone(cluster, job, 4);
      assertThat(doneBefore).as("killed in the middle").isLessThan(tasks);
      cluster.killServer();

      cluster.startServer(); // same port, same database; the volunteers reconnect by themselves
      // Just after a restart the first answers may be errors while the application finishes
      // deploying; wait (bounded) for one that carries the job's state.
      String after = cluster.getJson("/api/jobs/" + job);
      long answerBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (state(after).equals("?") && System.nanoTime() < answerBy) {
        System.err.println("CrashRecoveryIT: status after restart: " + after);
        Thread.sleep(500);
        after = cluster.getJson("/api/jobs/" + job);
      }
      assertThat(state(after))
          .as("status after restart: %s%nserver log:%n%s", after, cluster.logTail(60))
          .isIn("RUNNING", "MERGING", "SUCCEEDED");
      assertThat(done(after)).as("results committed before the kill are kept").isGreaterThan(0);

      long until = System.nanoTime() + Duration.ofSeconds(240).toNanos();
      String status = after;
      while (!state(status).equals("SUCCEEDED") && System.nanoTime() < until) {
        assertThat(state(status)).isNotIn("FAILED", "CANCELLED");
        Thread.sleep(250);
        status = cluster.getJson("/api/jobs/" + job);
      }
      assertThat(state(status)).as(status).isEqualTo("SUCCEEDED");
      assertThat(done(status)).isEqualTo(tasks);
      var result = cluster.surge("result", job);
      assertThat(result.exitCode()).as(result.stderr()).isZero();
      byte[] expected =
          Cluster.nativeRun(Map.of(), new byte[0], "montecarlo-whole", "" + tasks, samples);
      assertThat(result.out()).isEqualTo(new String(expected, StandardCharsets.UTF_8));
    }
  }

  /** Waits until at least {@code n} tasks are done and returns the count. */
  static int awaitDone(Cluster cluster, String job, int n) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < until) {
      int done = done(cluster.getJson("/api/jobs/" + job));
      if (done >= n) {
        return done;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("fewer than " + n + " tasks done within 120 s");
  }

  static int done(String json) {
    Matcher m = DONE.matcher(json);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  static String state(String json) {
    Matcher m = STATE.matcher(json);
    return m.find() ? m.group(1) : "?";
  }
}
