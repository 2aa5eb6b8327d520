package surge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import surge.config.Settings;
import surge.identity.control.Caller;
import surge.jobs.control.JobView;
import surge.jobs.entity.JobState;
import surge.kernels.control.KernelRunnerTest;
import surge.kernels.control.Wat;

/**
 * Reducers run on a bounded pool, under a time limit and a memory cap, apart from the built-in
 * merges: one bad reducer does not hold up another job's merge, and stops when its time is up.
 */
class MergeIsolationTest {
  static final Caller ALICE = new Caller("alice", Caller.Role.USER, "test");

  @TempDir Path dir;

  Server start(String reduceTimeout) {
    return start(reduceTimeout, "2", "10000");
  }

  Server start(String reduceTimeout, String workers, String queue) {
    return Server.start(
        Settings.from(
            Map.of(
                "SURGE_DATA_DIR",
                dir.toString(),
                "SURGE_REDUCE_TIMEOUT",
                reduceTimeout,
                "SURGE_REDUCE_MEMORY",
                "8MiB",
                "SURGE_MERGE_WORKERS",
                workers,
                "SURGE_MERGE_QUEUE",
                queue,
                "SURGE_KERNEL_POLICY",
                "any-user"),
            k -> null));
  }

  static String submit(Server server, String kernel, String merge) {
    return server
        .jobs
        .submit(
            ALICE,
            "{\"kernel\":\""
                + kernel
                + "\",\"tasks\":2,\"args\":[\"1000\"],\"merge\":"
                + merge
                + "}")
        .id();
  }

  static String reduce(String reducer) {
    return "{\"kind\":\"reduce\",\"kernel\":\"" + reducer + "\"}";
  }

  @Test
  @Timeout(60)
  void aLoopingReducerDelaysNoOtherMergeAndStopsAtItsLimit() throws Exception {
    try (Server server = start("8s")) {
      String montecarlo = server.kernels.upload(TestFiles.kernel("montecarlo")).sha256();
      String piReduce = server.kernels.upload(TestFiles.kernel("pi-reduce")).sha256();
      String spinning = server.kernels.upload(Wat.spinning()).sha256();

      String looping = submit(server, montecarlo, reduce(spinning));
      new ServerStorageTest.NativeVolunteer(server, "montecarlo", 100).work();
      awaitState(server, looping, JobState.MERGING);
      long t0 = System.nanoTime();

      String sum = submit(server, montecarlo, "{\"kind\":\"sum\"}");
      String concat = submit(server, montecarlo, "{\"kind\":\"concat\"}");
      String reduced = submit(server, montecarlo, reduce(piReduce));
      new ServerStorageTest.NativeVolunteer(server, "montecarlo", 100).work();
      for (String id : new String[] {sum, concat, reduced}) {
        JobView v = ServerStorageTest.awaitEnd(server, id);
        assertThat(v.state()).as("%s: %s", id, v.error()).isEqualTo(JobState.SUCCEEDED);
      }
      // All three merged while the looping reducer still ran (one merge thread: 8 s behind it).
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
      assertThat(server.jobs.status(ALICE, looping).state()).isEqualTo(JobState.MERGING);

      JobView failed = ServerStorageTest.awaitEnd(server, looping);
      assertThat(failed.state()).isEqualTo(JobState.FAILED);
      assertThat(failed.error().orElseThrow().message())
          .isEqualTo("the reducer kernel ran longer than PT8S (SURGE_REDUCE_TIMEOUT)");
      // The loop has stopped: the server is idle again.
      assertThat(KernelRunnerTest.cpuSpentDuring(Duration.ofSeconds(1)))
          .isLessThan(Duration.ofMillis(400));
    }
  }

  @Test
  @Timeout(60)
  void aReducerGrowingItsMemoryFailsItsJobAtTheCap() throws Exception {
    try (Server server = start("30s")) {
      String montecarlo = server.kernels.upload(TestFiles.kernel("montecarlo")).sha256();
      String hungry = server.kernels.upload(Wat.memoryHungry()).sha256();
      String id = submit(server, montecarlo, reduce(hungry));
      new ServerStorageTest.NativeVolunteer(server, "montecarlo", 100).work();
      JobView v = ServerStorageTest.awaitEnd(server, id);
      assertThat(v.state()).isEqualTo(JobState.FAILED);
      assertThat(v.error().orElseThrow().message())
          .startsWith("the reducer kernel failed: ")
          .contains("limit of " + (8 << 20) + " bytes, SURGE_REDUCE_MEMORY");
    }
  }

  @Test
  @Timeout(60)
  void aMergeOverTheQueueBoundFailsItsJobSayingSo() throws Exception {
    try (Server server = start("3s", "1", "1")) {
      String montecarlo = server.kernels.upload(TestFiles.kernel("montecarlo")).sha256();
      String spinning = server.kernels.upload(Wat.spinning()).sha256();
      // One reducer thread busy, one merge waiting: the third is refused at once.
      String running = submit(server, montecarlo, reduce(spinning));
      new ServerStorageTest.NativeVolunteer(server, "montecarlo", 100).work();
      awaitState(server, running, JobState.MERGING);
      String waiting = submit(server, montecarlo, reduce(spinning));
      new ServerStorageTest.NativeVolunteer(server, "montecarlo", 100).work();
      awaitState(server, waiting, JobState.MERGING);
      String refused = submit(server, montecarlo, reduce(spinning));
      new ServerStorageTest.NativeVolunteer(server, "montecarlo", 100).work();
      JobView v = ServerStorageTest.awaitEnd(server, refused);
      assertThat(v.state()).isEqualTo(JobState.FAILED);
      assertThat(v.error().orElseThrow().message())
          .isEqualTo(
              "the server had 1 merges waiting already (SURGE_MERGE_QUEUE); submit the job again"
                  + " later");
      assertThat(server.jobs.status(ALICE, running).state()).isEqualTo(JobState.MERGING);
    }
  }

  static void awaitState(Server server, String id, JobState state) throws InterruptedException {
    for (int i = 0; i < 600 && server.jobs.status(ALICE, id).state() != state; i++) {
      Thread.sleep(50);
    }
    assertThat(server.jobs.status(ALICE, id).state()).isEqualTo(state);
  }
}
