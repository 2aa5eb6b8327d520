package surge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import surge.ServerStorageTest.NativeVolunteer;
import surge.config.Settings;
import surge.identity.control.Caller;
import surge.jobs.control.JobView;
import surge.jobs.entity.JobState;
import surge.quotas.control.StoredUsage;
import surge.testing.EmbeddedPostgresExtension;

/**
 * The quotas' counts on a real database, H2 and PostgreSQL (the queries are the part a unit test
 * with fake counts cannot check), and the merge refusing a result past its owner's quota.
 */
class QuotaStorageTest {
  static final Caller ALICE = ServerStorageTest.ALICE;
  static final Caller BOB = new Caller("bob", Caller.Role.USER, "munge");

  @RegisterExtension
  static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

  @TempDir static Path dir;
  static int run;

  static Stream<String> databases() {
    return Stream.of("h2", "postgres");
  }

  Settings settings(String db, String resultBytes) {
    Map<String, String> env = new HashMap<>();
    env.put("SURGE_DATA_DIR", dir.resolve("data-" + db + "-" + (run++)).toString());
    env.put("SURGE_QUOTA_RESULT_BYTES", resultBytes);
    env.put("SURGE_KERNEL_POLICY", "any-user"); // approval: KernelApprovalTest
    if (db.equals("postgres")) {
      env.put("SURGE_DB_URL", postgres.jdbcUrl());
      env.put("SURGE_DB_USER", "postgres");
      // One PostgreSQL for every run: earlier runs' rows would count.
      env.put("SURGE_DB_URL", postgres.jdbcUrl() + "&currentSchema=public");
    }
    // One PostgreSQL for every run: each test counts for users of its own.
    env.put("SURGE_VERIFY", "replicate=1"); // verification has its own tests
    return Settings.from(env, k -> null);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void theCountsFollowTheStoredJobsInputsAndResultsOfEachUser(String db) throws Exception {
    try (Server server = Server.start(settings(db, "off"))) {
      var usage = new StoredUsage(server.db);
      String user = "u" + run;
      Caller me = new Caller(user, Caller.Role.USER, "token");
      Caller other = new Caller(user + "-other", Caller.Role.USER, "token");
      String kernel = server.kernels.upload(TestFiles.kernel("montecarlo")).sha256();
      String spec = "{\"kernel\":\"" + kernel + "\",\"tasks\":%d,\"args\":[\"1000\"]}";
      String first = server.jobs.submit(me, spec.formatted(3)).id();
      server.jobs.submit(me, spec.formatted(4));
      assertThat(usage.unfinishedJobs(user)).isEqualTo(2);
      assertThat(usage.queuedTasks(user)).isEqualTo(7);
      server.jobs.cancel(me, first, "test");
      assertThat(usage.unfinishedJobs(user)).isEqualTo(1);
      assertThat(usage.queuedTasks(user)).isEqualTo(4);

      byte[] input = ("input of " + user).repeat(10).getBytes(StandardCharsets.UTF_8);
      server.inputs.upload(me, input);
      server.inputs.upload(me, input);
      assertThat(usage.inputBytes(user)).as("the same bytes twice").isEqualTo(input.length);
      server.inputs.upload(other, input);
      assertThat(usage.inputBytes(user + "-other")).isEqualTo(input.length);
      assertThat(usage.inputBytes(user)).isEqualTo(input.length);

      new NativeVolunteer(server, "montecarlo", 100).work();
      ServerStorageTest.awaitJournal(server);
      assertThat(usage.unfinishedJobs(user)).isZero();
      long results =
          server.jobs.list(me, java.util.Optional.of(JobState.SUCCEEDED), 10).stream()
              .mapToLong(v -> v.resultSize().orElseThrow())
              .sum();
      assertThat(results).isPositive();
      assertThat(usage.resultBytes(user)).isEqualTo(results);
      assertThat(usage.resultBytes(user + "-other")).isZero();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aMergeWhoseResultWouldPassTheOwnersQuotaFailsTheJobAndStoresNothing(String db)
      throws Exception {
    try (Server server = Server.start(settings(db, "50"))) {
      String kernel = server.kernels.upload(TestFiles.kernel("montecarlo")).sha256();
      // About 12 bytes: fits.
      String small =
          server
              .jobs
              .submit(
                  BOB,
                  "{\"kernel\":\""
                      + kernel
                      + "\",\"tasks\":2,\"args\":[\"1000\"],\"merge\":{\"kind\":\"sum\"}}")
              .id();
      new NativeVolunteer(server, "montecarlo", 100).work();
      JobView fits = awaitEnd(server, BOB, small);
      assertThat(fits.state()).as(fits.error().toString()).isEqualTo(JobState.SUCCEEDED);
      long stored = fits.resultSize().orElseThrow();
      // 10 lines of about 11 bytes, concatenated: past 50.
      String big =
          server
              .jobs
              .submit(BOB, "{\"kernel\":\"" + kernel + "\",\"tasks\":10,\"args\":[\"1000\"]}")
              .id();
      new NativeVolunteer(server, "montecarlo", 100).work();
      JobView refused = awaitEnd(server, BOB, big);
      assertThat(refused.state()).isEqualTo(JobState.FAILED);
      assertThat(refused.error().orElseThrow().message())
          .contains("SURGE_QUOTA_RESULT_BYTES", "the " + stored + " bytes of results bob")
          .contains("limit of 50 bytes");
      assertThat(new StoredUsage(server.db).resultBytes("bob")).isEqualTo(stored);
    }
  }

  static JobView awaitEnd(Server server, Caller caller, String id) throws InterruptedException {
    long until = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < until) {
      JobView v = server.jobs.status(caller, id);
      if (v.state().ended()) {
        return v;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("job " + id + " did not end: " + server.jobs.status(caller, id));
  }
}
