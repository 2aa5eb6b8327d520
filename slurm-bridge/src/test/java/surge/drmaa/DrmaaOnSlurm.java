package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.PartialTimestamp;
import org.ggf.drmaa.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import surge.e2e.SlurmCluster;

/**
 * What the DRMAA ITs share: one {@link SlurmSession} per class on the local cluster of {@code
 * deploy/slurm/local-cluster.sh} (shared by the ITs of this JVM), whose {@code volunteer} partition
 * is a real slurmd on this host, so the jobs' shell commands really run; a fresh directory per test
 * and the helpers that make and watch jobs. A process has one active DRMAA session: each class ends
 * its own before the next one's starts.
 */
abstract class DrmaaOnSlurm {
  static final Duration WITHIN = Duration.ofSeconds(60);
  static SlurmCluster cluster;
  static SlurmSession session;
  static Path root;
  Path dir;

  @BeforeAll
  static void cluster() throws Exception {
    cluster = SlurmCluster.shared();
    session = newSession();
    session.init(null);
    root = Files.createDirectories(Path.of("target/drmaa-it").toAbsolutePath());
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (session != null) {
      session.control(Session.JOB_IDS_SESSION_ALL, Session.TERMINATE);
      session.exit();
    }
  }

  static SlurmSession newSession() {
    return new SlurmSession(cluster.env(), Duration.ofSeconds(30), Site.ofThisProcess());
  }

  @org.junit.jupiter.api.BeforeEach
  void dir(TestInfo test) throws Exception {
    dir = Files.createDirectories(root.resolve(test.getTestMethod().orElseThrow().getName()));
    try (var old = Files.list(dir)) { // what an earlier run left
      for (Path file : old.toList()) {
        Files.delete(file);
      }
    }
  }

  JobTemplate shell(String command) throws Exception {
    JobTemplate jt = session.createJobTemplate();
    jt.setRemoteCommand("/bin/sh");
    jt.setArgs(List.of("-c", command));
    jt.setWorkingDirectory(dir.toString());
    jt.setOutputPath(":" + dir.resolve("out.txt"));
    return jt;
  }

  static void awaitStatus(Session s, String id, int wanted) throws Exception {
    long until = System.nanoTime() + WITHIN.toNanos();
    int last = -1;
    while (System.nanoTime() < until) {
      last = s.getJobProgramStatus(id);
      if (last == wanted) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "job " + id + " not " + ProgramStatus.name(wanted) + ": " + ProgramStatus.name(last));
  }

  /**
   * A job whose command has started (not only Slurm's RUNNING, which comes before slurmd has
   * launched the script), so that signals reach it.
   */
  String runningJob() throws Exception {
    Path started = dir.resolve("started");
    String id = session.runJob(shell("touch '" + started + "'; exec sleep 300"));
    long until = System.nanoTime() + WITHIN.toNanos();
    while (!Files.exists(started)) {
      assertThat(System.nanoTime()).as("job " + id + " started within " + WITHIN).isLessThan(until);
      Thread.sleep(50);
    }
    assertThat(session.getJobProgramStatus(id)).isEqualTo(Session.RUNNING);
    return id;
  }

  static PartialTimestamp inSeconds(int seconds) {
    PartialTimestamp at = new PartialTimestamp();
    at.setTimeInMillis(System.currentTimeMillis() + seconds * 1000L);
    return at;
  }
}
