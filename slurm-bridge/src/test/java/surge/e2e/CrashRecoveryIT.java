package surge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.client.JobState.CANCELLED;
import static surge.client.JobState.FAILED;
import static surge.client.JobState.MERGING;
import static surge.client.JobState.RUNNING;
import static surge.client.JobState.SUCCEEDED;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import surge.client.JobStatus;
import surge.testing.EmbeddedPostgresExtension;

/**
 * SIGKILL the server in the middle of a job, start it again on the same database, and get the
 * identical merged result with no task lost, on H2 (the default) and on PostgreSQL.
 */
class CrashRecoveryIT {
  @TempDir static Path dir;

  @RegisterExtension
  static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

  static Stream<String> databases() {
    return Stream.of("h2", "postgres");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aJobInterruptedBySigkillFinishesWithTheSameResult(String db) throws Exception {
    Map<String, String> env = new HashMap<>();
    if (db.equals("postgres")) {
      env.putAll(postgres.surgeSettings());
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
      Optional<JobStatus> after = answer(cluster, job);
      long answerBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (after.isEmpty() && System.nanoTime() < answerBy) {
        Thread.sleep(500);
        after = answer(cluster, job);
      }
      assertThat(after)
          .as("status after restart; server log:%n%s", cluster.logTail(60))
          .isPresent();
      assertThat(after.get().state()).as("%s", after.get()).isIn(RUNNING, MERGING, SUCCEEDED);
      assertThat(after.get().tasks().done())
          .as("results committed before the kill are kept")
          .isGreaterThan(0);

      long until = System.nanoTime() + Duration.ofSeconds(240).toNanos();
      JobStatus status = after.get();
      while (status.state() != SUCCEEDED && System.nanoTime() < until) {
        assertThat(status.state()).isNotIn(FAILED, CANCELLED);
        Thread.sleep(250);
        status = cluster.status(job);
      }
      assertThat(status.state()).as("%s", status).isEqualTo(SUCCEEDED);
      assertThat(status.tasks().done()).isEqualTo(tasks);
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
      int done = cluster.status(job).tasks().done();
      if (done >= n) {
        return done;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("fewer than " + n + " tasks done within 120 s");
  }

  /**
   * The job's status, or empty while the server, just restarted, answers errors (the application
   * may still be finishing its deployment).
   */
  static Optional<JobStatus> answer(Cluster cluster, String job) throws InterruptedException {
    try {
      return Optional.of(cluster.status(job));
    } catch (Exception notYet) {
      if (notYet instanceof InterruptedException e) {
        throw e;
      }
      System.err.println("CrashRecoveryIT: status after restart: " + notYet);
      return Optional.empty();
    }
  }
}
