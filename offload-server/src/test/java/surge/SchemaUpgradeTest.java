package surge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import surge.config.Settings;
import surge.jobs.control.JobView;
import surge.jobs.entity.Job;
import surge.jobs.entity.JobResult;
import surge.jobs.entity.JobState;
import surge.jobs.entity.MergeKind;
import surge.jobs.entity.TaskOutput;
import surge.kernels.entity.Kernel;
import surge.testing.EmbeddedPostgresExtension;

/**
 * A database made by the release before Flyway (8e0fac5: Hibernate's {@code hbm2ddl=update} of the
 * same entities, no Flyway history) is adopted by this release with its jobs: a finished one keeps
 * its result, a running one resumes where it was and merges to the native result. And a schema that
 * does not fit the entities stops the start with the table and column named.
 */
class SchemaUpgradeTest {
  @RegisterExtension
  static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

  @TempDir static Path dir;
  static int run;

  static Stream<String> databases() {
    return Stream.of("h2", "postgres");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aDatabaseOfThePreviousReleaseKeepsItsJobsAndValidates(String db) throws Exception {
    Settings settings = settings(db, freshDatabase(db));
    byte[] kernelBytes = TestFiles.kernel("montecarlo");
    String kernel = surge.api.Hashes.sha256(kernelBytes);
    Job running;
    Job finished;
    try (SessionFactory previous = previousRelease(settings)) {
      running = job(kernel, 12);
      finished = job(kernel, 2);
      previous.inTransaction(
          s -> {
            s.persist(new Kernel(kernelBytes, Instant.now()));
            s.persist(running);
            s.persist(finished);
          });
      // The running job did 5 of its 12 tasks; the finished one has its result.
      var outputs = new java.util.ArrayList<byte[]>();
      for (int i = 0; i < 5; i++) {
        outputs.add(nativeOutput(i, 12));
      }
      previous.inTransaction(
          s -> {
            running.start(Instant.now());
            for (int i = 0; i < 5; i++) {
              s.persist(new TaskOutput(running.id(), i, outputs.get(i), 1.0));
            }
            running.countDone(5);
            s.merge(running);
            finished.start(Instant.now());
            finished.succeed(5, Instant.now());
            s.merge(finished);
            s.persist(new JobResult(finished.id(), "done\n".getBytes(StandardCharsets.UTF_8)));
          });
    }
    assertThat(tables(settings)).doesNotContain("flyway_schema_history");

    try (Server server = Server.start(settings)) {
      JobView done = server.jobs.status(ServerStorageTest.ALICE, finished.publicId());
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(server.jobs.result(ServerStorageTest.ALICE, finished.publicId()))
          .asString(StandardCharsets.UTF_8)
          .isEqualTo("done\n");
      JobView resumed = server.jobs.status(ServerStorageTest.ALICE, running.publicId());
      assertThat(resumed.state()).isEqualTo(JobState.RUNNING);
      assertThat(resumed.done()).isEqualTo(5);
      assertThat(resumed.queued()).isEqualTo(7);
      new ServerStorageTest.NativeVolunteer(server, "montecarlo", 100).work();
      JobView end = ServerStorageTest.awaitEnd(server, running.publicId());
      assertThat(end.state()).isEqualTo(JobState.SUCCEEDED);
      byte[] expected =
          TestFiles.run(TestFiles.native_("montecarlo-whole").toString(), "12", "20000");
      assertThat(server.jobs.result(ServerStorageTest.ALICE, running.publicId()))
          .asString(StandardCharsets.UTF_8)
          .isEqualTo(new String(expected, StandardCharsets.UTF_8));
    }
    // Adopted at version 1, then migrated on: a second start finds nothing to do.
    assertThat(history(settings)).startsWith("1:BASELINE");
    try (Server server = Server.start(settings)) {
      assertThat(server.jobs.status(ServerStorageTest.ALICE, finished.publicId()).state())
          .isEqualTo(JobState.SUCCEEDED);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aNewDatabaseIsMadeByTheMigrations(String db) throws Exception {
    Settings settings = settings(db, freshDatabase(db));
    try (Server server = Server.start(settings)) {
      assertThat(server.db.ping()).isTrue();
    }
    String history = history(settings);
    assertThat(history).startsWith("1:SQL").contains("3:SQL");
    assertThat(tables(settings)).contains("task_claims", "merge_claims", "cluster_instances");
    if (db.equals("postgres")) {
      assertThat(history).contains("2:JDBC");
      assertThat(tables(settings)).contains("qrtz_triggers", "qrtz_scheduler_state", "qrtz_locks");
    } else {
      assertThat(tables(settings)).noneMatch(t -> t.startsWith("qrtz_"));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aSchemaThatDoesNotFitTheEntitiesStopsTheStartNamingTableAndColumn(String db)
      throws Exception {
    Settings settings = settings(db, freshDatabase(db));
    Server.start(settings).close();
    execute(settings, "alter table rescues drop column hand_back_note");
    assertThatThrownBy(() -> Server.start(settings))
        .hasMessageContaining("does not fit this release's entities")
        .hasMessageContaining("hand_back_note")
        .hasMessageContaining("rescues");
  }

  @Test
  void tablesMadeBeforeFlywayThatAreNotSurgesAreNotAdopted() throws Exception {
    Settings settings = settings("h2", freshDatabase("h2"));
    try (SessionFactory previous = previousRelease(settings)) {
      // made by hbm2ddl
    }
    execute(settings, "alter table jobs drop column priority");
    assertThatThrownBy(() -> Server.start(settings))
        .hasMessageContaining("no Flyway history")
        .hasMessageContaining("missing column jobs.priority");
    assertThat(tables(settings)).doesNotContain("flyway_schema_history");
  }

  // ---- the previous release, and looking at the database ----

  /**
   * The schema as the release before Flyway made it: Hibernate's {@code hbm2ddl=update} of today's
   * entities, with that release's settings that shape the schema.
   */
  static SessionFactory previousRelease(Settings settings) {
    var props = new Properties();
    props.put("hibernate.connection.url", settings.dbUrl());
    props.put("hibernate.connection.username", settings.dbUser());
    props.put("hibernate.connection.password", settings.dbPassword());
    props.put("hibernate.hbm2ddl.auto", "update");
    props.put("hibernate.id.optimizer.pooled.preferred", "pooled-lo");
    props.put("hibernate.type.preferred_instant_jdbc_type", "TIMESTAMP_UTC");
    props.put("hibernate.current_session_context_class", "thread");
    props.put("hibernate.transaction.coordinator_class", "jdbc");
    var cfg = new Configuration();
    cfg.setProperties(props);
    // That release had no shared state for several instances (surge.cluster, V3).
    Server.ENTITIES.stream()
        .filter(c -> !c.getPackageName().equals("surge.cluster"))
        .forEach(cfg::addAnnotatedClass);
    return cfg.buildSessionFactory();
  }

  static Job job(String kernel, int tasks) {
    return new Job(
        "alice",
        null,
        kernel,
        tasks,
        null,
        null,
        "[\"20000\"]",
        "{}",
        MergeKind.SUM,
        null,
        0,
        null,
        null,
        Instant.now());
  }

  static byte[] nativeOutput(int index, int count) throws Exception {
    var pb = new ProcessBuilder(TestFiles.native_("montecarlo").toString(), "20000");
    pb.environment().put("SURGE_TASK_INDEX", "" + index);
    pb.environment().put("SURGE_TASK_COUNT", "" + count);
    return pb.start().getInputStream().readAllBytes();
  }

  /** A database of its own for each test: a new H2 file, a new PostgreSQL database. */
  static String freshDatabase(String db) throws Exception {
    String name = "upgrade" + (run++);
    if (db.equals("h2")) {
      return "jdbc:h2:file:" + dir.resolve(name).resolve("surge");
    }
    try (var c = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "")) {
      c.createStatement().execute("create database " + name);
    }
    return postgres.jdbcUrl().replace("/postgres?", "/" + name + "?");
  }

  Settings settings(String db, String url) {
    Map<String, String> env = new HashMap<>();
    env.put("SURGE_DATA_DIR", dir.resolve("data-" + (run++)).toString());
    env.put("SURGE_DB_URL", url);
    env.put("SURGE_DB_USER", db.equals("h2") ? "sa" : "postgres");
    env.put("SURGE_KERNEL_POLICY", "any-user");
    env.put("SURGE_VERIFY", "replicate=1");
    return Settings.from(env, k -> null);
  }

  static List<String> tables(Settings settings) throws Exception {
    try (var c = DriverManager.getConnection(settings.dbUrl(), settings.dbUser(), "");
        var rs = c.getMetaData().getTables(null, c.getSchema(), "%", new String[] {"TABLE"})) {
      var names = new java.util.ArrayList<String>();
      while (rs.next()) {
        names.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
      }
      return names;
    }
  }

  /** Flyway's history as {@code version:type} lines (its rows without a version left out). */
  static String history(Settings settings) throws Exception {
    try (var c = DriverManager.getConnection(settings.dbUrl(), settings.dbUser(), "");
        var rs =
            c.createStatement()
                .executeQuery(
                    "select \"version\", \"type\" from \"flyway_schema_history\""
                        + " where \"version\" is not null order by \"installed_rank\"")) {
      var out = new StringBuilder();
      while (rs.next()) {
        out.append(rs.getString(1)).append(':').append(rs.getString(2)).append('\n');
      }
      return out.toString();
    }
  }

  static void execute(Settings settings, String sql) throws Exception {
    try (var c = DriverManager.getConnection(settings.dbUrl(), settings.dbUser(), "")) {
      c.createStatement().execute(sql);
    }
  }
}
