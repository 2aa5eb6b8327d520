package surge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import surge.config.Settings;
import surge.dispatch.Assignment;
import surge.dispatch.TaskOutcome;
import surge.dispatch.VolunteerChannel;
import surge.dispatch.VolunteerEvent;
import surge.identity.control.Caller;
import surge.jobs.control.JobView;
import surge.jobs.entity.JobState;
import surge.policies.VolunteerProfile;
import surge.testing.EmbeddedPostgresExtension;

/**
 * The server's core on a real database, H2 and PostgreSQL: jobs are stored, results journalled in
 * batches, merged (concat, sum, and a reducer kernel run by Chicory), and a job interrupted by a
 * restart finishes after it with the same result and no task lost. Volunteers are simulated by
 * running the native kernels; the real WebSocket path is tested against Payara in the ITs.
 */
class ServerStorageTest {
  static final Caller ALICE = new Caller("alice", Caller.Role.USER, "token");

  @RegisterExtension
  static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

  @TempDir static Path dir;

  static Stream<String> databases() {
    return Stream.of("h2", "postgres");
  }

  static int run;

  Settings settings(String db) {
    Map<String, String> env = new HashMap<>();
    env.put("SURGE_DATA_DIR", dir.resolve("data-" + db + "-" + (run++)).toString());
    if (db.equals("postgres")) {
      env.put("SURGE_DB_URL", postgres.jdbcUrl());
      env.put("SURGE_DB_USER", "postgres");
    }
    env.put("SURGE_KERNEL_POLICY", "any-user"); // approval: KernelApprovalTest
    env.put("SURGE_VERIFY", "replicate=1"); // verification has its own tests
    return Settings.from(env, k -> null);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aJobSurvivesARestartMidwayAndMergesToTheNativeResult(String db) throws Exception {
    Settings settings = settings(db);
    String jobId;
    try (Server server = Server.start(settings)) {
      String kernel = server.kernels.upload(TestFiles.kernel("montecarlo")).sha256();
      jobId =
          server
              .jobs
              .submit(
                  ALICE,
                  "{\"kernel\":\""
                      + kernel
                      + "\",\"tasks\":12,\"args\":[\"20000\"],\"merge\":{\"kind\":\"sum\"}}")
              .id();
      // A volunteer does 5 of 12 tasks, then the server goes away.
      new NativeVolunteer(server, "montecarlo", 5).work();
      awaitJournal(server);
      assertThat(server.jobs.status(ALICE, jobId).done()).isEqualTo(5);
    }
    try (Server server = Server.start(settings)) {
      JobView recovered = server.jobs.status(ALICE, jobId);
      assertThat(recovered.state()).isEqualTo(JobState.RUNNING);
      assertThat(recovered.done()).isEqualTo(5);
      assertThat(recovered.queued()).isEqualTo(7);
      new NativeVolunteer(server, "montecarlo", 100).work();
      JobView done = awaitEnd(server, jobId);
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      byte[] expected =
          TestFiles.run(TestFiles.native_("montecarlo-whole").toString(), "12", "20000");
      assertThat(new String(server.jobs.result(ALICE, jobId), StandardCharsets.UTF_8))
          .isEqualTo(new String(expected, StandardCharsets.UTF_8));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aReducerKernelMergesOnTheServer(String db) throws Exception {
    try (Server server = Server.start(settings(db))) {
      String kernel = server.kernels.upload(TestFiles.kernel("montecarlo")).sha256();
      String reducer = server.kernels.upload(TestFiles.kernel("pi-reduce")).sha256();
      String id =
          server
              .jobs
              .submit(
                  ALICE,
                  "{\"kernel\":\""
                      + kernel
                      + "\",\"tasks\":4,\"args\":[\"10000\"],\"merge\":{\"kind\":\"reduce\",\"kernel\":\""
                      + reducer
                      + "\"}}")
              .id();
      new NativeVolunteer(server, "montecarlo", 100).work();
      JobView done = awaitEnd(server, id);
      assertThat(done.state()).as(done.error().toString()).isEqualTo(JobState.SUCCEEDED);
      // The native reducer given the same outputs prints the same line.
      byte[] outputs = concatNativeOutputs("montecarlo", 4, "10000");
      var p = new ProcessBuilder(TestFiles.native_("pi-reduce").toString()).start();
      p.getOutputStream().write(outputs);
      p.getOutputStream().close();
      String expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(new String(server.jobs.result(ALICE, id), StandardCharsets.UTF_8))
          .startsWith("pi ~= 3.1")
          .isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aKernelFailureIsStoredWithTheTasksStderr(String db) throws Exception {
    try (Server server = Server.start(settings(db))) {
      String kernel = server.kernels.upload(TestFiles.kernel("fail")).sha256();
      String id =
          server
              .jobs
              .submit(
                  ALICE,
                  "{\"kernel\":\""
                      + kernel
                      + "\",\"tasks\":3,\"args\":[\"7\",\"no luck\"],\"env\":{\"FAIL_INDEX\":\"1\"}}")
              .id();
      new NativeVolunteer(server, "fail", 100).work();
      JobView v = awaitEnd(server, id);
      assertThat(v.state()).isEqualTo(JobState.FAILED);
      var error = v.error().orElseThrow();
      // The only volunteer connected failed it: no one else could (PROTOCOL.md, "Failures").
      assertThat(error.message())
          .startsWith("task 1 failed on 1 volunteer (SURGE_MAX_FAILURES=3): ")
          .endsWith(" exited with code 7");
      assertThat(error.task()).contains(1);
      assertThat(error.exitCode()).contains(7);
      assertThat(error.stderrTail().orElseThrow()).contains("no luck");
    }
  }

  static byte[] concatNativeOutputs(String kernel, int tasks, String... args) throws Exception {
    var out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < tasks; i++) {
      var cmd = new ArrayList<String>();
      cmd.add(TestFiles.native_(kernel).toString());
      cmd.addAll(List.of(args));
      var pb = new ProcessBuilder(cmd);
      pb.environment().put("SURGE_TASK_INDEX", "" + i);
      pb.environment().put("SURGE_TASK_COUNT", "" + tasks);
      out.write(pb.start().getInputStream().readAllBytes());
    }
    return out.toByteArray();
  }

  static void awaitJournal(Server server) throws InterruptedException {
    for (int i = 0; i < 100 && server.journal.pending() > 0; i++) {
      Thread.sleep(50);
    }
    Thread.sleep(300); // the batch in flight
  }

  static JobView awaitEnd(Server server, String id) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      JobView v = server.jobs.status(ALICE, id);
      if (v.state().ended()) {
        return v;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("job " + id + " did not end: " + server.jobs.status(ALICE, id));
  }

  /** Plays a volunteer through the dispatcher's API, running each task with the native kernel. */
  static final class NativeVolunteer implements VolunteerChannel {
    final Server server;
    final String kernel;
    int budget;
    final List<Assignment> inbox = new ArrayList<>();

    NativeVolunteer(Server server, String kernel, int budget) {
      this.server = server;
      this.kernel = kernel;
      this.budget = budget;
    }

    void work() throws Exception {
      String id = "native-" + System.nanoTime();
      server.dispatcher.connect(id, this, new VolunteerProfile(1, "native"), 1 << 20);
      while (budget > 0) {
        server.dispatcher.request(id, 1);
        Assignment t;
        synchronized (this) {
          if (inbox.isEmpty()) {
            break;
          }
          t = inbox.remove(0);
        }
        var cmd = new ArrayList<String>();
        cmd.add(TestFiles.native_(kernel).toString());
        cmd.addAll(t.args());
        var pb = new ProcessBuilder(cmd);
        pb.environment().putAll(t.env());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        int code = p.waitFor();
        var status = code == 0 ? TaskOutcome.Status.OK : TaskOutcome.Status.EXIT;
        server.dispatcher.results(
            id, List.of(new TaskOutcome(t.job(), t.index(), t.lease(), status, code, out, err, 1)));
        budget--;
      }
      server.dispatcher.disconnect(id);
    }

    @Override
    public synchronized void send(VolunteerEvent message) {
      if (message instanceof VolunteerEvent.Assigned ts) {
        inbox.addAll(ts.tasks());
      }
    }

    @Override
    public void close(int code, String reason) {}
  }
}
