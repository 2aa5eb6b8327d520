package surge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import surge.config.Settings;
import surge.dispatch.Assignment;
import surge.dispatch.TaskOutcome;
import surge.dispatch.VerificationReport;
import surge.dispatch.VolunteerChannel;
import surge.dispatch.VolunteerEvent;
import surge.jobs.control.JobView;
import surge.jobs.entity.JobState;
import surge.policies.VolunteerProfile;
import surge.testing.EmbeddedPostgresExtension;

/**
 * Two whole servers with SURGE_CLUSTER=on in one JVM on one real PostgreSQL, a volunteer on each
 * (native kernels through the dispatcher's API): one job is shared, merged once, and its result is
 * the native build's. The WebSocket path and separate processes are the ITs' part.
 */
class ClusterServersTest {
  @RegisterExtension
  static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

  @TempDir static Path dir;

  static Settings settings(String name) {
    return settings(name, true);
  }

  static Settings settings(String name, boolean cluster) {
    Map<String, String> env = new HashMap<>();
    env.put("SURGE_DATA_DIR", dir.resolve("data-" + name).toString());
    env.put("SURGE_DB_URL", postgres.jdbcUrl());
    env.put("SURGE_DB_USER", "postgres");
    env.put("SURGE_CLUSTER", cluster ? "on" : "off");
    env.put("SURGE_INSTANCE_NAME", name);
    env.put("SURGE_KERNEL_POLICY", "any-user");
    env.put("SURGE_VERIFY", "replicate=1");
    return Settings.from(env, k -> null);
  }

  @Test
  void twoInstancesShareOneJobAndItsResultIsTheNativeOne() throws Exception {
    try (Server a = Server.start(settings("a"));
        Server b = Server.start(settings("b"))) {
      String kernel = a.kernels.upload(TestFiles.kernel("montecarlo")).sha256();
      String job =
          a.jobs
              .submit(
                  ServerStorageTest.ALICE,
                  "{\"kernel\":\""
                      + kernel
                      + "\",\"tasks\":40,\"args\":[\"20000\"],\"merge\":{\"kind\":\"sum\"}}")
              .id();
      assertThat(b.jobs.status(ServerStorageTest.ALICE, job).total())
          .as("the job, read on the other instance")
          .isEqualTo(40);
      var stop = new AtomicBoolean();
      var onA = new LoopingVolunteer(a, stop);
      var onB = new LoopingVolunteer(b, stop);
      List<Thread> threads = new ArrayList<>();
      for (var v : List.of(onA, onB)) {
        var t = new Thread(v::work);
        t.start();
        threads.add(t);
      }
      JobView done;
      try {
        done = awaitEnd(b, job);
      } finally {
        stop.set(true);
        for (Thread t : threads) {
          t.join(10_000);
        }
      }
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(onA.done.get() + onB.done.get()).isGreaterThanOrEqualTo(40);
      assertThat(onA.done.get()).as("tasks run on a").isPositive();
      assertThat(onB.done.get()).as("tasks run on b").isPositive();
      byte[] expected =
          TestFiles.run(TestFiles.native_("montecarlo-whole").toString(), "40", "20000");
      assertThat(new String(b.jobs.result(ServerStorageTest.ALICE, job), StandardCharsets.UTF_8))
          .isEqualTo(new String(expected, StandardCharsets.UTF_8));
      assertThat(a.jobs.status(ServerStorageTest.ALICE, job).state()).isEqualTo(JobState.SUCCEEDED);
      // Neither dispatcher keeps the job once it ended: the merger's forgets it, the other's
      // claiming hook releases it at its next poll.
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while ((a.dispatcher.progress(job).isPresent() || b.dispatcher.progress(job).isPresent())
          && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(a.dispatcher.progress(job)).as("a's dispatcher still holds the job").isEmpty();
      assertThat(b.dispatcher.progress(job)).as("b's dispatcher still holds the job").isEmpty();
      // Each instance journalled the report of its part; the stored report is their sum.
      long reportUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (accepted(a, job) < 40 && System.nanoTime() < reportUntil) {
        Thread.sleep(50);
      }
      assertThat(accepted(a, job)).as("tasks accepted, summed over the instances").isEqualTo(40);
    }
  }

  @Test
  void aJobStoredBeforeTheClusterWasOnIsClaimedRunAndMergedOnceItIs() throws Exception {
    String job;
    try (Server single = Server.start(settings("before", false))) {
      // Stopped before any volunteer came: the job waits, stored without claim rows.
      job = submitMonteCarlo(single, 12);
    }
    try (Server clustered = Server.start(settings("before", true))) {
      assertNativeResult(clustered, job, runUntilEnd(clustered, job), 12);
    }
  }

  /**
   * An instance whose lease lapsed (cut off from the database, or frozen, past it) drops what it
   * held: its volunteers are told to stop the tasks, which now run elsewhere; under its new lease
   * it claims the job again and finishes it.
   */
  @Test
  void anInstanceWhoseLeaseLapsedTellsItsVolunteersToStopAndClaimsAfresh() throws Exception {
    try (Server a = Server.start(settings("lapsing"))) {
      String job = submitMonteCarlo(a, 6);
      var silent = SilentVolunteer.holdingTasks(a, "silent");
      try (var c = java.sql.DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
          var lapse =
              c.prepareStatement(
                  "update cluster_instances set lease_until = now() - interval '1 second'"
                      + " where name = 'lapsing'")) {
        assertThat(lapse.executeUpdate()).isEqualTo(1);
      }
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (silent.cancelled.isEmpty() && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(silent.cancelled)
          .as("the tasks it held, cancelled on the volunteer")
          .containsAll(silent.assigned);
      assertThat(silent.reasons).allMatch(r -> r.contains("lapsed"));
      a.dispatcher.disconnect("silent");
      assertNativeResult(a, job, runUntilEnd(a, job), 6);
    }
  }

  /**
   * An instance whose volunteers all went (to another instance, say after an nginx restart) hands
   * its claimed tasks back to the pool instead of holding them under its live lease for ever.
   */
  @Test
  void anInstanceLeftWithoutVolunteersHandsItsClaimedTasksBack() throws Exception {
    try (Server a = Server.start(settings("left"))) {
      String job = submitMonteCarlo(a, 6);
      var silent = SilentVolunteer.holdingTasks(a, "gone");
      assertThat(claimed(job)).as("claimed by the instance").isPositive();
      a.dispatcher.disconnect("gone");
      long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (claimed(job) > 0 && System.nanoTime() < until) {
        Thread.sleep(100);
      }
      assertThat(claimed(job)).as("tasks still claimed with no volunteer here").isZero();
      assertThat(a.dispatcher.stats().queued()).isZero();
      assertNativeResult(a, job, runUntilEnd(a, job), 6);
    }
  }

  /** The job's task rows claimed by some instance, read from PostgreSQL. */
  static int claimed(String publicId) throws Exception {
    long id = surge.jobs.entity.Job.parseId(publicId).orElseThrow();
    try (var c = java.sql.DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
        var q =
            c.prepareStatement(
                "select count(*) from task_claims where job_id = ? and state = 'CLAIMED'")) {
      q.setLong(1, id);
      try (var rows = q.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  /** Takes tasks and never answers; records what it was told to stop. */
  static final class SilentVolunteer implements VolunteerChannel {
    final List<String> assigned = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> cancelled = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Connected to {@code server} as {@code id}, once it holds tasks (within 20 s). */
    static SilentVolunteer holdingTasks(Server server, String id) throws InterruptedException {
      var silent = new SilentVolunteer();
      server.dispatcher.connect(id, silent, new VolunteerProfile(4, "native"), 1 << 20);
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (silent.assigned.isEmpty() && System.nanoTime() < until) {
        server.dispatcher.request(id, 4);
        Thread.sleep(100);
      }
      assertThat(silent.assigned).as("tasks given to the silent volunteer").isNotEmpty();
      return silent;
    }

    @Override
    public void send(VolunteerEvent message) {
      if (message instanceof VolunteerEvent.Assigned ts) {
        ts.tasks().forEach(t -> assigned.add(t.job() + "/" + t.index()));
      } else if (message instanceof VolunteerEvent.Cancelled c) {
        c.tasks().forEach(t -> cancelled.add(t.job() + "/" + t.index()));
        reasons.add(c.reason());
      }
    }

    @Override
    public void close(int code, String reason) {}
  }

  static int accepted(Server server, String job) {
    return server
        .jobs
        .status(ServerStorageTest.ALICE, job)
        .verification()
        .map(VerificationReport::accepted)
        .orElse(-1);
  }

  /** Stores a Monte Carlo job of {@code tasks} × 20,000 samples, merged by sum: its id. */
  static String submitMonteCarlo(Server server, int tasks) throws Exception {
    String kernel = server.kernels.upload(TestFiles.kernel("montecarlo")).sha256();
    return server
        .jobs
        .submit(
            ServerStorageTest.ALICE,
            "{\"kernel\":\""
                + kernel
                + "\",\"tasks\":"
                + tasks
                + ",\"args\":[\"20000\"],\"merge\":{\"kind\":\"sum\"}}")
        .id();
  }

  /** Runs one looping volunteer on {@code server} until the job ends; the job's view then. */
  static JobView runUntilEnd(Server server, String job) throws Exception {
    var stop = new AtomicBoolean();
    var volunteer = new LoopingVolunteer(server, stop);
    var thread = new Thread(volunteer::work);
    thread.start();
    try {
      return awaitEnd(server, job);
    } finally {
      stop.set(true);
      thread.join(10_000);
    }
  }

  /** The job succeeded and its result is the native build's for {@code tasks} tasks. */
  static void assertNativeResult(Server server, String job, JobView done, int tasks)
      throws Exception {
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    byte[] expected =
        TestFiles.run(
            TestFiles.native_("montecarlo-whole").toString(), Integer.toString(tasks), "20000");
    assertThat(new String(server.jobs.result(ServerStorageTest.ALICE, job), StandardCharsets.UTF_8))
        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
  }

  static JobView awaitEnd(Server server, String id) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < until) {
      JobView v = server.jobs.status(ServerStorageTest.ALICE, id);
      if (v.state().ended()) {
        return v;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "job " + id + " did not end: " + server.jobs.status(ServerStorageTest.ALICE, id));
  }

  /** A volunteer that stays until told to go, asking for a task whenever it has none. */
  static final class LoopingVolunteer implements VolunteerChannel {
    final Server server;
    final AtomicBoolean stop;
    final AtomicInteger done = new AtomicInteger();
    final List<Assignment> inbox = new ArrayList<>();

    LoopingVolunteer(Server server, AtomicBoolean stop) {
      this.server = server;
      this.stop = stop;
    }

    void work() {
      String id = "looping-" + System.nanoTime();
      server.dispatcher.connect(id, this, new VolunteerProfile(1, "native"), 1 << 20);
      try {
        while (!stop.get()) {
          Assignment t;
          synchronized (this) {
            if (inbox.isEmpty()) {
              server.dispatcher.request(id, 1);
              wait(100);
              continue;
            }
            t = inbox.remove(0);
          }
          var cmd = new ArrayList<String>();
          cmd.add(TestFiles.native_("montecarlo").toString());
          cmd.addAll(t.args());
          var pb = new ProcessBuilder(cmd);
          pb.environment().putAll(t.env());
          Process p = pb.start();
          byte[] out = p.getInputStream().readAllBytes();
          byte[] err = p.getErrorStream().readAllBytes();
          int code = p.waitFor();
          var status = code == 0 ? TaskOutcome.Status.OK : TaskOutcome.Status.EXIT;
          server.dispatcher.results(
              id,
              List.of(new TaskOutcome(t.job(), t.index(), t.lease(), status, code, out, err, 1)));
          done.incrementAndGet();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      } finally {
        server.dispatcher.disconnect(id);
      }
    }

    @Override
    public synchronized void send(VolunteerEvent message) {
      if (message instanceof VolunteerEvent.Assigned ts) {
        inbox.addAll(ts.tasks());
        notifyAll();
      }
    }

    @Override
    public void close(int code, String reason) {}
  }
}
