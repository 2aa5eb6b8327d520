package surge.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import surge.cluster.Instances.Recorder;
import surge.jobs.entity.TaskOutput;
import surge.persistence.Database;
import surge.testing.EmbeddedPostgresExtension;

/**
 * Task and merge claims of several instances (objects in one JVM, each with its own pool and lease)
 * on one real PostgreSQL.
 */
class ClaimsTest {
  @RegisterExtension
  static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

  static Instances instances;
  static Database db;

  @BeforeAll
  static void open() {
    instances = new Instances(postgres);
    db = instances.db();
  }

  @AfterAll
  static void close() {
    instances.close();
  }

  @BeforeEach
  void clear() {
    instances.clear();
  }

  static void addJob(ClusterNode node, long job, int tasks) {
    addJob(node, job, tasks, 0, null);
  }

  static void addJob(ClusterNode node, long job, int tasks, int priority, Instant deadline) {
    db.run(s -> s.doWork(c -> node.accepted(c, job, tasks, priority, deadline)));
  }

  /** The fenced write as the journal makes it: claim rows and outputs in one transaction. */
  static int write(ClusterNode node, long[] jobs, int[] indices) {
    return db.transaction(
        s ->
            s.doReturningWork(
                c -> {
                  var admitted = node.admit(c, jobs, indices);
                  try (var insert = c.prepareStatement(TaskOutput.INSERT)) {
                    for (int i = admitted.nextSetBit(0); i >= 0; i = admitted.nextSetBit(i + 1)) {
                      insert.setLong(1, jobs[i]);
                      insert.setInt(2, indices[i]);
                      insert.setBytes(3, new byte[] {(byte) i});
                      insert.setDouble(4, 1);
                      insert.addBatch();
                    }
                    insert.executeBatch();
                  }
                  return admitted.cardinality();
                }));
  }

  static boolean mayStore(ClusterNode node, long job) {
    return db.transaction(s -> s.doReturningWork(c -> node.mayStoreMerge(c, job)));
  }

  static void outputsCleared(Database db) {
    db.run(s -> s.createMutationQuery("delete from TaskOutput").executeUpdate());
  }

  static long outputs() {
    return db.transaction(
        s ->
            s.createSelectionQuery("select count(*) from TaskOutput", Long.class)
                .getSingleResult());
  }

  @Test
  void concurrentClaimsNeverOverlapAndMissNothing() throws Exception {
    List<Recorder> works = List.of(new Recorder(), new Recorder(), new Recorder());
    List<ClusterNode> nodes = new ArrayList<>();
    for (int i = 0; i < works.size(); i++) {
      nodes.add(instances.join("i" + i, ClusterNode.Timing.DEFAULT, works.get(i)));
    }
    addJob(nodes.get(0), 1, 1500);
    addJob(nodes.get(1), 2, 700);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    var start = new CountDownLatch(1);
    List<Future<?>> runs = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      var node = nodes.get(t % 3);
      runs.add(
          pool.submit(
              () -> {
                start.await();
                for (int round = 0; round < 200; round++) {
                  node.poll();
                }
                return null;
              }));
    }
    start.countDown();
    for (var run : runs) {
      run.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    Set<String> seen = new HashSet<>();
    int total = 0;
    for (Recorder w : works) {
      for (long[] t : w.claimed) {
        assertThat(seen.add(t[0] + ":" + t[1]))
            .as("task %s claimed twice", t[0] + ":" + t[1])
            .isTrue();
        total++;
      }
      assertThat(w.claimed).as("every instance got a share").isNotEmpty();
    }
    assertThat(total).isEqualTo(2200);
  }

  @Test
  void aDeadInstancesTasksAreClaimedByAnotherWithinTenSeconds() throws Exception {
    var deadWork = new Recorder();
    deadWork.wanted = 100;
    var dead = instances.join("dead", ClusterNode.Timing.DEFAULT, deadWork);
    addJob(dead, 7, 100);
    long claimedAt = System.nanoTime();
    dead.poll();
    assertThat(deadWork.claimed).hasSize(64); // one batch
    dead.halt(); // as SIGKILL: no renewal, nothing handed back

    var heir = new Recorder();
    heir.wanted = 1000;
    instances.start("heir", ClusterNode.Timing.DEFAULT, heir);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (heir.claimed.size() < 100 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    double seconds = (System.nanoTime() - claimedAt) / 1e9;
    System.out.printf("reclaim: a dead instance's 64 tasks claimed again after %.2f s%n", seconds);
    assertThat(heir.claimed).hasSize(100);
    assertThat(seconds).isLessThanOrEqualTo(10.0).isGreaterThanOrEqualTo(5.0);
  }

  @Test
  void aStaleInstanceWritesNothingAfterItsTasksWereReclaimed() throws Exception {
    var staleWork = new Recorder();
    var stale = instances.join("stale", Instances.SHORT, staleWork);
    addJob(stale, 9, 20);
    stale.poll();
    long oldEpoch = stale.epoch();
    assertThat(staleWork.claimed).hasSize(20);
    Thread.sleep(1500); // frozen (SIGSTOP) past its 1 s lease

    var liveWork = new Recorder();
    var live = instances.join("live", Instances.SHORT, liveWork);
    live.poll();
    assertThat(liveWork.claimed).as("the lapsed lease's tasks, claimed again").hasSize(20);

    // SIGCONT: the stale instance finishes its tasks and tries to write them.
    assertThat(write(stale, staleWork.jobs(), staleWork.indices())).isZero();
    assertThat(outputs()).isZero();
    assertThat(staleWork.lapses).isZero();
    assertThat(stale.renew()).as("a lapsed lease is not renewed").isFalse();
    assertThat(staleWork.lapses).as("told to drop what it held").isEqualTo(1);
    assertThat(stale.epoch()).isGreaterThan(oldEpoch);
    assertThat(write(stale, staleWork.jobs(), staleWork.indices()))
        .as("nor under its new epoch")
        .isZero();

    assertThat(write(live, liveWork.jobs(), liveWork.indices())).isEqualTo(20);
    assertThat(write(live, liveWork.jobs(), liveWork.indices())).as("written once").isZero();
    assertThat(outputs()).isEqualTo(20);
  }

  @Test
  void theMergeIsClaimedOnceUnderConcurrencyAndTakenOverFromADeadOwner() throws Exception {
    var firstWork = new Recorder();
    var first = instances.join("first", Instances.SHORT, firstWork);
    addJob(first, 11, 10);
    first.poll();
    assertThat(firstWork.merges).as("not before its tasks are done").isEmpty();
    assertThat(write(first, firstWork.jobs(), firstWork.indices())).isEqualTo(10);

    List<Recorder> works = List.of(firstWork, new Recorder(), new Recorder());
    List<ClusterNode> nodes =
        List.of(
            first,
            instances.join("second", Instances.SHORT, works.get(1)),
            instances.join("third", Instances.SHORT, works.get(2)));
    ExecutorService pool = Executors.newFixedThreadPool(9);
    var start = new CountDownLatch(1);
    List<Future<?>> runs = new ArrayList<>();
    for (int t = 0; t < 9; t++) {
      var node = nodes.get(t % 3);
      runs.add(
          pool.submit(
              () -> {
                start.await();
                node.poll();
                return null;
              }));
    }
    start.countDown();
    for (var run : runs) {
      run.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    int claimed = works.stream().mapToInt(w -> w.merges.size()).sum();
    assertThat(claimed).as("merge claims of job 11 over 9 concurrent polls").isEqualTo(1);
    int owner = works.indexOf(works.stream().filter(w -> !w.merges.isEmpty()).findFirst().get());
    ClusterNode merger = nodes.get(owner);

    // The merging instance dies before storing: another takes the merge over once its lease lapses.
    Thread.sleep(1500);
    ClusterNode heir = nodes.get((owner + 1) % 3);
    Recorder heirWork = works.get((owner + 1) % 3);
    heir.renew();
    heir.poll();
    assertThat(heirWork.merges).contains(11L);
    assertThat(mayStore(merger, 11)).as("the dead owner's late store is refused").isFalse();
    assertThat(mayStore(heir, 11)).isTrue();
    assertThat(mayStore(heir, 11)).as("stored once").isFalse();
    assertThat(heir.counts(11).orElseThrow().done()).as("its rows are gone").isZero();
  }

  @Test
  void aClaimBatchIsOneStatementAndATaskCostsTwoBesidesItsOutput() {
    var work = new Recorder();
    work.wanted = 64;
    var node = instances.join("counted", ClusterNode.Timing.DEFAULT, work);
    addJob(node, 21, 640);
    long before = node.statements();
    node.poll(); // reclaim, claim, merge claim
    assertThat(node.statements() - before).isEqualTo(3);
    assertThat(work.claimed).hasSize(64);
    before = node.statements();
    write(node, work.jobs(), work.indices());
    assertThat(node.statements() - before).as("the fence: one batch for 64 results").isEqualTo(1);
    assertThat(node.counts(21).orElseThrow())
        .isEqualTo(new surge.jobs.control.SharedState.TaskCounts(576, 0, 64));
  }

  /**
   * The cluster claims best job first, as one dispatcher orders its queue: an urgent job submitted
   * after a large one is claimed before the large one's waiting tasks, and among equal priorities
   * the earlier deadline, then the older job.
   */
  @Test
  void claimsFollowPriorityThenDeadlineThenAgeAcrossTheCluster() {
    var work = new Recorder();
    work.wanted = 6;
    var node = instances.join("ordered", ClusterNode.Timing.DEFAULT, work);
    Instant soon = Instant.parse("2026-12-04T16:00:00Z");
    addJob(node, 31, 100); // old, large, priority 0, no deadline
    addJob(node, 32, 2, 0, soon.plusSeconds(3600)); // priority 0, a later deadline
    addJob(node, 33, 2, 0, soon); // priority 0, the earliest deadline
    addJob(node, 34, 2, 5, null); // urgent, submitted last
    node.poll();
    assertThat(work.claimed)
        .extracting(t -> t[0] + "/" + t[1])
        .containsExactlyInAnyOrder("34/0", "34/1", "33/0", "33/1", "32/0", "32/1");
    work.claimed.clear();
    work.wanted = 2;
    node.poll();
    assertThat(work.claimed)
        .extracting(t -> t[0] + "/" + t[1])
        .containsExactlyInAnyOrder("31/0", "31/1");
  }
}
