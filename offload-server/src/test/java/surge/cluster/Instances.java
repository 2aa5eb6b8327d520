package surge.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import surge.jobs.entity.TaskOutput;
import surge.persistence.Database;
import surge.testing.EmbeddedPostgresExtension;

/**
 * Server instances as objects in one JVM: each its own connection pool and lease on one database.
 */
final class Instances implements AutoCloseable {
  static final List<Class<?>> ENTITIES =
      List.of(ClusterInstance.class, TaskClaim.class, MergeClaim.class, TaskOutput.class);

  /** A lease short enough for tests that wait for it to lapse. */
  static final ClusterNode.Timing SHORT =
      new ClusterNode.Timing(
          Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofMillis(200), 64);

  private final EmbeddedPostgresExtension postgres;
  private final List<Database> dbs = new ArrayList<>();
  private final List<ClusterNode> nodes = new ArrayList<>();

  Instances(EmbeddedPostgresExtension postgres) {
    this.postgres = postgres;
  }

  Database db() {
    var db = Database.open(postgres.jdbcUrl(), postgres.user(), "", ENTITIES);
    dbs.add(db);
    return db;
  }

  /** A joined instance (lease taken, no timers). */
  ClusterNode join(String name, ClusterNode.Timing timing, Recorder work) {
    var node = new ClusterNode(db(), name, timing);
    node.join(work);
    nodes.add(node);
    return node;
  }

  /** A started instance (renewing and polling on its own). */
  ClusterNode start(String name, ClusterNode.Timing timing, Recorder work) {
    var node = new ClusterNode(db(), name, timing);
    node.start(work);
    nodes.add(node);
    return node;
  }

  /** Stops every instance of the last test and empties the tables for the next. */
  void clear() {
    nodes.forEach(ClusterNode::halt);
    nodes.clear();
    db().run(
            s ->
                s.doWork(
                    c -> {
                      try (var st = c.createStatement()) {
                        st.execute(
                            "truncate task_claims, merge_claims, cluster_instances, task_outputs");
                      }
                    }));
  }

  @Override
  public void close() {
    nodes.forEach(ClusterNode::halt);
    dbs.forEach(Database::close);
  }

  /** What an instance's dispatcher was handed. */
  static final class Recorder implements ClusterNode.Work {
    final Queue<long[]> claimed = new ConcurrentLinkedQueue<>();
    final Queue<Long> merges = new ConcurrentLinkedQueue<>();
    volatile int wanted = 50;
    volatile int lapses;

    @Override
    public void lapsed() {
      lapses++;
    }

    @Override
    public void run(long job, BitSet tasks) {
      tasks.stream().forEach(i -> claimed.add(new long[] {job, i}));
    }

    @Override
    public int wanted() {
      return wanted;
    }

    @Override
    public void merge(long job) {
      merges.add(job);
    }

    long[] jobs() {
      return claimed.stream().mapToLong(t -> t[0]).toArray();
    }

    int[] indices() {
      return claimed.stream().mapToInt(t -> (int) t[1]).toArray();
    }
  }
}
