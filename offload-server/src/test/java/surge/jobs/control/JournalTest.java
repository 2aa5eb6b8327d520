package surge.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import surge.jobs.entity.Job;
import surge.jobs.entity.MergeKind;
import surge.jobs.entity.TaskOutput;
import surge.persistence.Database;

/** The journal against a real (in-memory) H2: what it writes, in order, and when. */
class JournalTest {
  private final Database db =
      Database.open(
          "jdbc:h2:mem:journal-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "sa",
          "",
          List.of(Job.class, TaskOutput.class));
  private final List<Long> completed = new CopyOnWriteArrayList<>();
  private final Journal journal =
      new Journal(db, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), completed::add, id -> {});

  @AfterEach
  void close() {
    journal.close();
    db.close();
  }

  private Job job(int tasks) {
    return job(db, tasks);
  }

  private static Job job(Database db, int tasks) {
    return db.transaction(
        s -> {
          var job =
              new Job(
                  "alice",
                  null,
                  "k".repeat(64),
                  tasks,
                  null,
                  null,
                  "[]",
                  "{}",
                  MergeKind.CONCAT,
                  null,
                  0,
                  null,
                  null,
                  Instant.EPOCH);
          s.persist(job);
          return job;
        });
  }

  private List<String> outputs(Job job) {
    return db.transaction(
        s ->
            s
                .createSelectionQuery(
                    "from TaskOutput t where t.jobId = :job order by t.taskIndex", TaskOutput.class)
                .setParameter("job", job.id())
                .getResultList()
                .stream()
                .map(t -> t.taskIndex() + "=" + new String(t.stdout(), StandardCharsets.UTF_8))
                .toList());
  }

  private int done(Job job) {
    return db.transaction(s -> s.find(Job.class, job.id()).tasksDone());
  }

  private void awaitCompleted(Job job) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!completed.contains(job.id()) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(completed)
        .as("completed; %s tasks done, %s events pending", done(job), journal.pending())
        .contains(job.id());
  }

  private static byte[] out(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anOutputUndoneInTheSameBatchAsItsWriteIsGoneAndNotCounted() throws Exception {
    Job job = job(3);
    String id = job.publicId();
    // Queued before the writer starts: one batch.
    journal.taskDone(id, 0, out("a"), 1);
    journal.taskDone(id, 1, out("b"), 1);
    journal.taskUndone(id, 1);
    journal.taskDone(id, 2, out(""), 1);
    journal.taskDone(id, 1, out("B"), 1);
    journal.jobCompleted(id);
    journal.start();
    awaitCompleted(job);
    assertThat(outputs(job)).containsExactly("0=a", "1=B", "2=");
    assertThat(done(job)).isEqualTo(3);
  }

  @Test
  void manyOutputsArriveIntactAcrossTransactions() throws Exception {
    Job job = job(5000);
    String id = job.publicId();
    journal.start();
    for (int i = 0; i < 5000; i++) {
      journal.taskDone(id, i, out(Integer.toString(i)), 0.5);
      if (i % 500 == 0) {
        Thread.sleep(3); // several transactions, some coalesced
      }
    }
    journal.jobCompleted(id);
    awaitCompleted(job);
    List<String> rows = outputs(job);
    assertThat(rows).hasSize(5000);
    assertThat(rows.get(4321)).isEqualTo("4321=4321");
    assertThat(done(job)).isEqualTo(5000);
  }

  @Test
  void aDuplicateOutputIsDroppedWithoutLosingTheOthersOfItsBatch() throws Exception {
    Job job = job(3);
    String id = job.publicId();
    journal.taskDone(id, 0, out("a"), 1);
    journal.taskDone(id, 0, out("again"), 1);
    journal.taskDone(id, 1, out("b"), 1);
    journal.jobCompleted(id);
    journal.start();
    awaitCompleted(job);
    assertThat(outputs(job)).containsExactly("0=a", "1=b");
    assertThat(journal.healthy()).as("healthy once the database answered again").isTrue();
  }

  /**
   * A real outage: the database (H2 over TCP) stops while a result waits, then comes back. The
   * journal is unhealthy while it cannot write, keeps the result, and is healthy again with the
   * first write that succeeds (it used to stay unhealthy for a minute after any failure).
   */
  @Test
  void aDatabaseOutageIsUnhealthyOnlyUntilTheHeldResultIsWritten() throws Exception {
    int port;
    try (var free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String p = Integer.toString(port);
    var tcp = org.h2.tools.Server.createTcpServer("-tcpPort", p, "-ifNotExists").start();
    Database remote =
        Database.open(
            "jdbc:h2:tcp://localhost:"
                + port
                + "/mem:outage-"
                + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1",
            "sa",
            "",
            List.of(Job.class, TaskOutput.class));
    var done = new CopyOnWriteArrayList<Long>();
    var writer = new Journal(remote, Clock.systemUTC(), done::add, id -> {});
    try {
      Job job = job(remote, 1);
      writer.start();
      assertThat(writer.healthy()).isTrue();
      tcp.stop();
      writer.taskDone(job.publicId(), 0, out("kept"), 1);
      writer.jobCompleted(job.publicId());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (writer.healthy() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(writer.healthy()).as("unhealthy while the database is down").isFalse();
      tcp = org.h2.tools.Server.createTcpServer("-tcpPort", p, "-ifNotExists").start();
      long back = System.nanoTime();
      while (!done.contains(job.id()) && System.nanoTime() < back + TimeUnit.SECONDS.toNanos(30)) {
        Thread.sleep(10);
      }
      assertThat(done)
          .as("the held result was written once the database was back")
          .contains(job.id());
      assertThat(writer.healthy()).as("healthy with the first write that succeeded").isTrue();
      String stored =
          remote.transaction(
              s ->
                  new String(
                      s.find(TaskOutput.class, new TaskOutput.Key(job.id(), 0)).stdout(),
                      StandardCharsets.UTF_8));
      assertThat(stored).isEqualTo("kept");
    } finally {
      writer.close();
      remote.close();
      tcp.stop();
    }
  }
}
