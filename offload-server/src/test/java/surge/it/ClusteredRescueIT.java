package surge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import surge.testing.EmbeddedPostgresExtension;
import surge.testing.ServerProcess;

/**
 * The real server on PostgreSQL, under Payara: Flyway's migrations (SQL and Java) run inside the
 * WAR, the rescuer's Quartz runs its clustered JDBC job store there, and when the instance is
 * killed another one on the same database takes over its check-in and its poll.
 */
class ClusteredRescueIT {
  @RegisterExtension
  static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

  @TempDir static Path dir;

  @Test
  void theRescuersTimersLiveInPostgresqlAndAnotherInstanceTakesThemOver() throws Exception {
    // Slurm is not needed to show the timers: the poll runs, and fails to reach Slurm, each time.
    Path slurmConf = Files.writeString(dir.resolve("slurm.conf"), "ClusterName=none\n");
    Map<String, String> env = new HashMap<>(postgres.surgeSettings());
    env.put("SURGE_JAVA_OPTS", "-Xmx512m -XX:+UseParallelGC");
    env.put("SURGE_RESCUE_PARTITIONS", "batch");
    env.put("SURGE_RESCUE_POLL", "1s");
    env.put("SURGE_SLURM_CONF", slurmConf.toString());

    String first;
    try (ServerProcess a = ServerProcess.start(dir.resolve("a"), env)) {
      assertThat(query("select \"version\" from \"flyway_schema_history\" order by 1"))
          .as("Flyway ran inside the WAR; log:%n%s", a.logTail(40))
          .containsExactly("1", "2", "3", "4", "5");
      List<String> instances = await(() -> query("select instance_name from qrtz_scheduler_state"));
      assertThat(instances).hasSize(1);
      first = instances.get(0);
      long fired = awaitAbove(0);
      assertThat(fired).as("the poll fired from Quartz's tables").isPositive();
      a.kill();
    }
    try (ServerProcess b = ServerProcess.start(dir.resolve("b"), env)) {
      long killedAt = System.nanoTime();
      long before = prevFireTime();
      // b declares a failed once its check-in is older than about 5 s + 7.5 s, and removes it.
      long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      List<String> instances = query("select instance_name from qrtz_scheduler_state");
      while (instances.contains(first) && System.nanoTime() < until) {
        Thread.sleep(500);
        instances = query("select instance_name from qrtz_scheduler_state");
      }
      assertThat(instances).as("log of b:%n%s", b.logTail(40)).hasSize(1).doesNotContain(first);
      assertThat(awaitAbove(before)).as("b polls").isGreaterThan(before);
      assertThat(query("select trigger_name from qrtz_triggers")).containsExactly("poll");
      System.out.println(
          "clustered rescue: a's check-in removed and the poll running on b "
              + (System.nanoTime() - killedAt) / 1_000_000
              + " ms after b answered");
    }
  }

  static long prevFireTime() throws Exception {
    List<String> t = query("select prev_fire_time from qrtz_triggers where trigger_name = 'poll'");
    return t.isEmpty() || t.get(0) == null ? 0 : Long.parseLong(t.get(0));
  }

  /** Waits (bounded) until the poll has fired after {@code after} (epoch ms). */
  static long awaitAbove(long after) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long fired = prevFireTime();
    while (fired <= after && System.nanoTime() < until) {
      Thread.sleep(250);
      fired = prevFireTime();
    }
    return fired;
  }

  static List<String> await(Callable<List<String>> rows) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<String> found = rows.call();
    while (found.isEmpty() && System.nanoTime() < until) {
      Thread.sleep(250);
      found = rows.call();
    }
    return found;
  }

  static List<String> query(String sql) throws Exception {
    try (var c = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "");
        var rs = c.createStatement().executeQuery(sql)) {
      var rows = new ArrayList<String>();
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
      return rows;
    }
  }
}
