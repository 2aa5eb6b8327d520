package surge.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import surge.cluster.Instances.Recorder;
import surge.persistence.Database;
import surge.testing.EmbeddedPostgresExtension;

/**
 * Claims per second and statements per task on this machine's embedded PostgreSQL: 1 and 2
 * instances, each claiming and then writing (fenced) batch after batch of a 20,000-task job until
 * it is done, then merging it. Not part of the suite (the name does not end in Test): run it with
 * {@code mvn -o -q verify -pl offload-server -am -Dtest=ClaimRateBench
 * -Dsurefire.failIfNoSpecifiedTests=false -DskipITs}; it prints one line per run.
 */
class ClaimRateBench {
  static final int TASKS = Integer.getInteger("bench.tasks", 20_000);

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

  @Test
  void claimsPerSecond() throws Exception {
    long job = 1;
    for (int nodes : new int[] {1, 2}) {
      for (int batch : new int[] {16, 64, 256}) {
        run(job++, nodes, batch); // warm-up of this shape
        run(job++, nodes, batch);
      }
    }
  }

  private void run(long job, int n, int batch) throws Exception {
    instances.clear();
    List<ClusterNode> nodes = new ArrayList<>();
    List<Recorder> works = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var w = new Recorder();
      w.wanted = batch;
      works.add(w);
      nodes.add(
          instances.join(
              "bench" + i,
              new ClusterNode.Timing(
                  ClusterNode.Timing.DEFAULT.lease(),
                  ClusterNode.Timing.DEFAULT.renewEvery(),
                  ClusterNode.Timing.DEFAULT.pollEvery(),
                  batch),
              w));
    }
    ClaimsTest.db = db;
    ClaimsTest.addJob(nodes.get(0), job, TASKS);
    long before = nodes.stream().mapToLong(ClusterNode::statements).sum();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    long start = System.nanoTime();
    List<Future<?>> runs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var node = nodes.get(i);
      var work = works.get(i);
      runs.add(
          pool.submit(
              () -> {
                while (works.stream().allMatch(w -> w.merges.isEmpty())) {
                  int had = work.claimed.size();
                  node.poll(); // reclaim, claim a batch, claim a merge that is due
                  if (work.claimed.size() == had) {
                    Thread.sleep(1); // another instance's last writes
                    continue;
                  }
                  var mine = new Recorder();
                  work.claimed.stream().skip(had).forEach(mine.claimed::add);
                  ClaimsTest.write(node, mine.jobs(), mine.indices()); // fence + outputs
                }
                if (!work.merges.isEmpty()) {
                  db.run(s -> s.doWork(c -> node.mayStoreMerge(c, job)));
                }
                return null;
              }));
    }
    for (var r : runs) {
      r.get(120, TimeUnit.SECONDS);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    long statements = nodes.stream().mapToLong(ClusterNode::statements).sum() - before + 2;
    int claimed = works.stream().mapToInt(w -> w.claimed.size()).sum();
    int merges = works.stream().mapToInt(w -> w.merges.size()).sum();
    System.out.printf(
        "bench: instances=%d batch=%d tasks=%d seconds=%.2f tasks/s=%.0f statements/task=%.3f"
            + " merges=%d%n",
        n, batch, claimed, seconds, claimed / seconds, statements / (double) claimed, merges);
    assertThat(claimed).isEqualTo(TASKS);
    assertThat(merges).isEqualTo(1);
    ClaimsTest.outputsCleared(db);
  }
}
