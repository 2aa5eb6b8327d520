package surge.rescue.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import surge.persistence.Database;
import surge.rescue.entity.Rescue;
import surge.testing.EmbeddedPostgresExtension;

/**
 * Two rescue schedulers (two instance ids, as two server instances) on one real PostgreSQL, in
 * Quartz's clustered JDBC store: the poll runs on one of them at a time and once per interval for
 * the pair, and the triggers of one that goes away (shut down, or silent while it held the poll)
 * are taken over by the other.
 */
class RescueScheduleClusterTest {
  @RegisterExtension
  static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

  static int databases;

  /** A new database with the schema (Flyway's V2 makes Quartz's tables). */
  static String database() throws Exception {
    String name = "rescue" + (databases++);
    try (var c = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "")) {
      c.createStatement().execute("create database " + name);
    }
    String url = postgres.jdbcUrl().replace("/postgres?", "/" + name + "?");
    Database.open(url, "postgres", "", List.of(Rescue.class)).close();
    return url;
  }

  static RescueSchedule instance(String url, String id) {
    return RescueSchedule.clustered(url, "postgres", "", id);
  }

  @Test
  void thePollRunsOnOneInstanceAtATimeAndOncePerIntervalForTheCluster() throws Exception {
    String url = database();
    var polls = new ConcurrentLinkedQueue<String>();
    var running = new AtomicInteger();
    var overlaps = new AtomicInteger();
    Duration interval = Duration.ofMillis(500);
    try (var a = instance(url, "a");
        var b = instance(url, "b")) {
      for (String id : List.of("a", "b")) {
        (id.equals("a") ? a : b)
            .start(
                () -> {
                  if (running.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                  }
                  polls.add(id);
                  sleep(300);
                  running.decrementAndGet();
                },
                job -> {},
                job -> {},
                interval);
      }
      Thread.sleep(6_000);
    }
    assertThat(overlaps).as("polls running at once").hasValue(0);
    // Every 500 ms for 6 s is 12 polls for the cluster; a scheduler of its own each, about 24.
    assertThat(polls.size()).as("polls: %s", polls).isBetween(6, 15);
    System.out.println("rescue cluster: polls in 6 s by instance: " + polls);
  }

  @Test
  void aDueTimerSetByAnInstanceThatStopsFiresOnTheOther() throws Exception {
    String url = database();
    var dueOnB = new CountDownLatch(1);
    var dueOnA = new AtomicInteger();
    Duration interval = Duration.ofHours(1);
    try (var b = instance(url, "b")) {
      b.start(() -> {}, job -> dueOnB.countDown(), job -> {}, interval);
      var a = instance(url, "a");
      a.start(() -> {}, job -> dueOnA.incrementAndGet(), job -> {}, interval);
      a.at(Instant.now().plusSeconds(3), "4242");
      a.close(); // the instance that set the timer goes away before it is due
      assertThat(dueOnB.await(20, TimeUnit.SECONDS)).as("the timer fired on b").isTrue();
      assertThat(dueOnA).hasValue(0);
    }
  }

  @Test
  void thePollHeldByAnInstanceThatFallsSilentIsTakenOverAfterItsCheckInLapses() throws Exception {
    String url = database();
    var stuck = new CountDownLatch(1);
    var aPolls = new AtomicInteger();
    var bPolls = new AtomicInteger();
    Duration interval = Duration.ofMillis(500);
    var a = instance(url, "a");
    try (var b = instance(url, "b")) {
      // a starts first and takes the first poll, which never returns (a hung or killed instance).
      a.start(
          () -> {
            aPolls.incrementAndGet();
            await(stuck);
          },
          job -> {},
          job -> {},
          interval);
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (aPolls.get() == 0 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(aPolls).as("a took the poll").hasValue(1);
      b.start(bPolls::incrementAndGet, job -> {}, job -> {}, interval);
      Thread.sleep(2_000);
      assertThat(bPolls).as("the poll is never concurrent: b waits while a holds it").hasValue(0);
      long silentAt = System.nanoTime();
      a.close(); // a stops checking in, still holding the poll
      until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
      while (bPolls.get() == 0 && System.nanoTime() < until) {
        Thread.sleep(100);
      }
      long tookOverMs = (System.nanoTime() - silentAt) / 1_000_000;
      assertThat(bPolls.get()).as("b polls after a fell silent").isPositive();
      // Quartz declares an instance failed about check-in interval + 7.5 s after its last one.
      assertThat(tookOverMs).isLessThan(30_000);
      System.out.println("rescue cluster: poll taken over " + tookOverMs + " ms after a stopped");
    } finally {
      stuck.countDown();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
