package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.ggf.drmaa.AlreadyActiveSessionException;
import org.ggf.drmaa.ExitTimeoutException;
import org.ggf.drmaa.HoldInconsistentStateException;
import org.ggf.drmaa.InvalidAttributeValueException;
import org.ggf.drmaa.InvalidContactStringException;
import org.ggf.drmaa.InvalidJobException;
import org.ggf.drmaa.JobInfo;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.NoActiveSessionException;
import org.ggf.drmaa.PartialTimestamp;
import org.ggf.drmaa.ReleaseInconsistentStateException;
import org.ggf.drmaa.ResumeInconsistentStateException;
import org.ggf.drmaa.Session;
import org.ggf.drmaa.SessionFactory;
import org.ggf.drmaa.SuspendInconsistentStateException;
import org.ggf.drmaa.UnsupportedAttributeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import surge.e2e.SlurmCluster;

/**
 * The DRMAA 1.0 behaviours against real Slurm: the local cluster of {@code
 * deploy/slurm/local-cluster.sh} (shared by the ITs of this JVM), whose {@code volunteer} partition
 * is a real slurmd on this host, so the jobs' shell commands really run.
 */
class DrmaaContractIT {
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static SlurmCluster cluster;
  private static SlurmSession session;
  private static Path root;
  private Path dir;

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

  private JobTemplate shell(String command) throws Exception {
    JobTemplate jt = session.createJobTemplate();
    jt.setRemoteCommand("/bin/sh");
    jt.setArgs(List.of("-c", command));
    jt.setWorkingDirectory(dir.toString());
    jt.setOutputPath(":" + dir.resolve("out.txt"));
    return jt;
  }

  private static void awaitStatus(Session s, String id, int wanted) throws Exception {
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
  private String runningJob() throws Exception {
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

  @Test
  void theFactoryFindsThisBindingAndItSaysWhatItIs() throws Exception {
    Session fromFactory = SessionFactory.getFactory().getSession();

    assertThat(fromFactory).isInstanceOf(SlurmSession.class);
    assertThat(fromFactory).isSameAs(SessionFactory.getFactory().getSession());
    assertThat(session.getDrmSystem()).matches("Slurm \\d+\\.\\d+\\.\\d+");
    assertThat(session.getVersion().getMajor()).isEqualTo(1);
    assertThat(session.getVersion().getMinor()).isZero();
    assertThat(session.getDrmaaImplementation()).startsWith("Surge DRMAA 1.0 binding for Slurm");
    assertThat(session.getContact()).isEqualTo("partition=volunteer");
  }

  @Test
  void waitAnswersTheExitStatusAndTheResourcesUsed() throws Exception {
    String ok = session.runJob(shell("echo fine"));
    JobTemplate three = shell("echo bad >&2; exit 3");
    three.setOutputPath(":" + dir.resolve("three.out"));
    three.setErrorPath(":" + dir.resolve("three.err"));
    String bad = session.runJob(three);

    JobInfo okInfo = session.wait(ok, Session.TIMEOUT_WAIT_FOREVER);
    JobInfo badInfo = session.wait(bad, 60);

    assertThat(okInfo.getJobId()).isEqualTo(ok);
    assertThat(okInfo.hasExited()).isTrue();
    assertThat(okInfo.getExitStatus()).isZero();
    assertThat(okInfo.hasSignaled()).isFalse();
    assertThat(okInfo.wasAborted()).isFalse();
    assertThat(okInfo.getResourceUsage())
        .containsEntry("partition", "volunteer")
        .containsEntry("nodes", "vol")
        .containsKeys("submission_time", "start_time", "end_time", "wallclock");
    assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("fine\n");
    assertThat(session.getJobProgramStatus(ok)).isEqualTo(Session.DONE);

    assertThat(badInfo.hasExited()).isTrue();
    assertThat(badInfo.getExitStatus()).isEqualTo(3);
    assertThat(session.getJobProgramStatus(bad)).isEqualTo(Session.FAILED);
    assertThat(Files.readString(dir.resolve("three.err"))).isEqualTo("bad\n");
    assertThat(Files.readString(dir.resolve("three.out"))).isEmpty();
  }

  @Test
  void aJobKilledByASignalHasSignalled() throws Exception {
    String id = session.runJob(shell("kill -KILL $$"));

    JobInfo info = session.wait(id, 60);

    assertThat(info.hasSignaled()).isTrue();
    assertThat(info.getTerminatingSignal()).isEqualTo("SIGKILL");
    assertThat(info.hasExited()).isFalse();
    assertThat(info.hasCoreDump()).isFalse();
    assertThat(info.wasAborted()).isFalse();
  }

  @Test
  void templateAttributesReachTheJob() throws Exception {
    Files.writeString(dir.resolve("in.txt"), "from stdin\n");
    JobTemplate jt = shell("read line; echo \"$line|$GREETING|$(pwd)|$SLURM_JOB_NAME\"");
    jt.setJobEnvironment(Map.of("GREETING", "hello 'world'"));
    jt.setInputPath(":$drmaa_wd_ph$/in.txt");
    jt.setOutputPath("localhost:$drmaa_wd_ph$/attrs.out");
    jt.setJobName("drmaa-attrs");
    jt.setHardWallclockTimeLimit(120);

    String id = session.runJob(jt);
    Map<String, String> fields = cluster.show(id);
    JobInfo info = session.wait(id, 60);

    assertThat(info.getExitStatus()).isZero();
    assertThat(fields)
        .containsEntry("TimeLimit", "00:02:00")
        .containsEntry("JobName", "drmaa-attrs");
    assertThat(Files.readString(dir.resolve("attrs.out")))
        .isEqualTo("from stdin|hello 'world'|" + dir + "|drmaa-attrs\n");
  }

  @Test
  void terminateEndsARunningJobWithSigterm() throws Exception {
    String id = runningJob();

    session.control(id, Session.TERMINATE);
    JobInfo info = session.wait(id, 60);

    assertThat(info.hasSignaled()).as(info + " " + info.getResourceUsage()).isTrue();
    assertThat(info.getTerminatingSignal()).isEqualTo("SIGTERM");
    assertThat(info.wasAborted()).isFalse();
    assertThat(session.getJobProgramStatus(id)).isEqualTo(Session.FAILED);
  }

  @Test
  void terminateOfAPendingJobAbortsIt() throws Exception {
    JobTemplate jt = shell("echo never");
    jt.setJobSubmissionState(JobTemplate.HOLD_STATE);
    String id = session.runJob(jt);
    assertThat(session.getJobProgramStatus(id)).isEqualTo(Session.USER_ON_HOLD);

    session.control(id, Session.TERMINATE);
    JobInfo info = session.wait(id, 60);

    assertThat(info.wasAborted()).isTrue();
    assertThat(info.hasExited()).isFalse();
    assertThat(info.hasSignaled()).isFalse();
    assertThat(dir.resolve("out.txt")).doesNotExist();
    session.control(id, Session.TERMINATE); // an ended job: nothing to do
  }

  @Test
  void holdAndReleaseAQueuedJob() throws Exception {
    JobTemplate jt = shell("echo released");
    jt.setStartTime(inSeconds(3600));
    String id = session.runJob(jt);
    assertThat(session.getJobProgramStatus(id)).isEqualTo(Session.QUEUED_ACTIVE);

    session.control(id, Session.HOLD);
    assertThat(session.getJobProgramStatus(id)).isEqualTo(Session.USER_ON_HOLD);
    session.control(id, Session.HOLD); // held already: fine
    session.control(id, Session.RELEASE);
    assertThat(session.getJobProgramStatus(id)).isEqualTo(Session.QUEUED_ACTIVE);
    assertThatThrownBy(() -> session.control(id, Session.RELEASE))
        .isInstanceOf(ReleaseInconsistentStateException.class)
        .hasMessageContaining("not on hold");
    assertThatThrownBy(() -> session.control(id, Session.SUSPEND))
        .isInstanceOf(SuspendInconsistentStateException.class);
    session.control(id, Session.TERMINATE);
    assertThat(session.wait(id, 60).wasAborted()).isTrue();
  }

  @Test
  void aJobSubmittedOnHoldRunsWhenReleased() throws Exception {
    JobTemplate jt = shell("echo released");
    jt.setJobSubmissionState(JobTemplate.HOLD_STATE);
    String id = session.runJob(jt);
    assertThatThrownBy(() -> session.wait(id, 2)).isInstanceOf(ExitTimeoutException.class);

    session.control(id, Session.RELEASE);

    assertThat(session.wait(id, 60).getExitStatus()).isZero();
    assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("released\n");
  }

  @Test
  void holdAndReleaseOfARunningJobAreInconsistentAndItKeepsRunning() throws Exception {
    String id = runningJob();

    assertThatThrownBy(() -> session.control(id, Session.HOLD))
        .isInstanceOf(HoldInconsistentStateException.class)
        .hasMessageContaining("does not stop a running job");
    assertThatThrownBy(() -> session.control(id, Session.RELEASE))
        .isInstanceOf(ReleaseInconsistentStateException.class);
    assertThatThrownBy(() -> session.control(id, Session.RESUME))
        .isInstanceOf(ResumeInconsistentStateException.class);
    assertThat(session.getJobProgramStatus(id)).isEqualTo(Session.RUNNING);
    assertThat(cluster.show(id)).containsEntry("Reason", "None");

    session.control(id, Session.TERMINATE);
    session.wait(id, 60);
    assertThatThrownBy(() -> session.control(id, Session.HOLD))
        .isInstanceOf(HoldInconsistentStateException.class);
  }

  @Test
  void suspendAndResumeARunningJob() throws Exception {
    // The tests run as root, an administrator: Slurm lets only operators suspend.
    String id = runningJob();

    session.control(id, Session.SUSPEND);
    assertThat(session.getJobProgramStatus(id)).isEqualTo(Session.USER_SUSPENDED);
    session.control(id, Session.RESUME);
    assertThat(session.getJobProgramStatus(id)).isEqualTo(Session.RUNNING);

    session.control(id, Session.TERMINATE);
    assertThat(session.wait(id, 60).hasSignaled()).isTrue();
  }

  @Test
  void aBulkJobIsOneArrayWithTheIndexInArgumentsAndPaths() throws Exception {
    JobTemplate jt = session.createJobTemplate();
    jt.setRemoteCommand("/bin/sh");
    jt.setArgs(List.of("-c", "echo element $1 of $SLURM_ARRAY_JOB_ID", "sh", "$drmaa_incr_ph$"));
    jt.setWorkingDirectory(dir.toString());
    jt.setOutputPath(":$drmaa_wd_ph$/part.$drmaa_incr_ph$");

    List<String> ids = session.runBulkJobs(jt, 1, 7, 3);

    assertThat(ids).hasSize(3);
    String array = ids.get(0).substring(0, ids.get(0).indexOf('_'));
    assertThat(ids).containsExactly(array + "_1", array + "_4", array + "_7");
    session.synchronize(ids, 60, false);
    for (String id : ids) {
      assertThat(session.wait(id, Session.TIMEOUT_NO_WAIT).getExitStatus()).isZero();
    }
    for (int i : new int[] {1, 4, 7}) {
      assertThat(Files.readString(dir.resolve("part." + i)))
          .isEqualTo("element " + i + " of " + array + "\n");
    }
    try (var files = Files.list(dir)) {
      assertThat(files.count()).isEqualTo(3);
    }
  }

  @Test
  void synchronizeAllWithAndWithoutDispose() throws Exception {
    SlurmSession own = newSession();
    own.init("partition=volunteer");
    try {
      JobTemplate jt = own.createJobTemplate();
      jt.setRemoteCommand("/bin/sleep");
      jt.setArgs(List.of("1"));
      jt.setOutputPath(":/dev/null");
      String a = own.runJob(jt);
      List<String> bulk = own.runBulkJobs(jt, 1, 2, 1);

      own.synchronize(List.of(Session.JOB_IDS_SESSION_ALL), 60, false);
      for (String id : List.of(a, bulk.get(0), bulk.get(1))) {
        assertThat(own.getJobProgramStatus(id)).isEqualTo(Session.DONE);
      }
      assertThat(own.wait(a, Session.TIMEOUT_NO_WAIT).getExitStatus()).isZero();

      own.synchronize(List.of(Session.JOB_IDS_SESSION_ALL), 60, true);
      for (String id : bulk) {
        assertThatThrownBy(() -> own.wait(id, Session.TIMEOUT_NO_WAIT))
            .isInstanceOf(InvalidJobException.class)
            .hasMessageContaining("already taken");
      }
      assertThatThrownBy(() -> own.wait(Session.JOB_IDS_SESSION_ANY, 1))
          .isInstanceOf(InvalidJobException.class);
    } finally {
      own.exit();
    }
  }

  @Test
  void waitForAnyAnswersTheFirstToEnd() throws Exception {
    SlurmSession own = newSession();
    own.init(null);
    try {
      JobTemplate jt = own.createJobTemplate();
      jt.setRemoteCommand("/bin/sleep");
      jt.setOutputPath(":/dev/null");
      jt.setArgs(List.of("300"));
      String slow = own.runJob(jt);
      jt.setArgs(List.of("0"));
      String quick = own.runJob(jt);

      JobInfo first = own.wait(Session.JOB_IDS_SESSION_ANY, 60);

      assertThat(first.getJobId()).isEqualTo(quick);
      own.control(Session.JOB_IDS_SESSION_ALL, Session.TERMINATE);
      JobInfo second = own.wait(Session.JOB_IDS_SESSION_ANY, 60);
      assertThat(second.getJobId()).isEqualTo(slow);
      assertThat(second.getTerminatingSignal()).isEqualTo("SIGTERM");
    } finally {
      own.exit();
    }
  }

  @Test
  void waitTimesOutWithoutReaping() throws Exception {
    String id = session.runJob(shell("sleep 300"));

    long start = System.nanoTime();
    assertThatThrownBy(() -> session.wait(id, Session.TIMEOUT_NO_WAIT))
        .isInstanceOf(ExitTimeoutException.class);
    long noWait = System.nanoTime() - start;
    start = System.nanoTime();
    assertThatThrownBy(() -> session.wait(id, 2)).isInstanceOf(ExitTimeoutException.class);
    long twoSeconds = System.nanoTime() - start;
    assertThatThrownBy(() -> session.synchronize(List.of(id), 1, true))
        .isInstanceOf(ExitTimeoutException.class);

    assertThat(Duration.ofNanos(noWait)).isLessThan(Duration.ofSeconds(5));
    assertThat(Duration.ofNanos(twoSeconds))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2))
        .isLessThan(Duration.ofSeconds(15));
    session.control(id, Session.TERMINATE);
    assertThat(session.wait(id, 60).getJobId()).isEqualTo(id);
  }

  @Test
  void aWaitedJobIsReapedOnceEvenWhenThreadsRace() throws Exception {
    String id = session.runJob(shell("sleep 1"));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Object>> waits = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        waits.add(pool.submit((Callable<Object>) () -> waitOrException(id)));
      }
      List<Object> answers = new ArrayList<>();
      for (Future<Object> w : waits) {
        answers.add(w.get(90, java.util.concurrent.TimeUnit.SECONDS));
      }

      assertThat(answers).filteredOn(a -> a instanceof JobInfo).hasSize(1);
      assertThat(answers).filteredOn(a -> a instanceof InvalidJobException).hasSize(2);
    } finally {
      pool.shutdownNow();
    }
    assertThatThrownBy(() -> session.wait(id, Session.TIMEOUT_WAIT_FOREVER))
        .isInstanceOf(InvalidJobException.class);
    assertThatThrownBy(() -> session.synchronize(List.of(id), 1, false))
        .isInstanceOf(InvalidJobException.class);
  }

  private static Object waitOrException(String id) {
    try {
      return session.wait(id, 60);
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void aJobGoesFromQueuedToRunningToDone() throws Exception {
    JobTemplate jt = shell("sleep 2");
    jt.setStartTime(inSeconds(3));
    String id = session.runJob(jt);

    List<Integer> seen = new ArrayList<>();
    long until = System.nanoTime() + WITHIN.toNanos();
    while (System.nanoTime() < until) {
      int status = session.getJobProgramStatus(id);
      if (seen.isEmpty() || seen.get(seen.size() - 1) != status) {
        seen.add(status);
      }
      if (ProgramStatus.ended(status)) {
        break;
      }
      Thread.sleep(100);
    }

    assertThat(seen).containsExactly(Session.QUEUED_ACTIVE, Session.RUNNING, Session.DONE);
    assertThat(session.wait(id, 0).getExitStatus()).isZero();
  }

  @Test
  void theLifecycleHasItsExceptions() throws Exception {
    SlurmSession own = newSession();
    assertThatThrownBy(own::exit).isInstanceOf(NoActiveSessionException.class);
    assertThatThrownBy(own::createJobTemplate).isInstanceOf(NoActiveSessionException.class);
    assertThatThrownBy(() -> own.getJobProgramStatus("1"))
        .isInstanceOf(NoActiveSessionException.class);
    assertThat(own.getContact()).isEqualTo("partition=volunteer");
    assertThatThrownBy(() -> own.init("partition=nosuch"))
        .isInstanceOf(InvalidContactStringException.class)
        .hasMessageContaining("nosuch");
    assertThatThrownBy(() -> own.init("queue=batch"))
        .isInstanceOf(InvalidContactStringException.class);

    own.init("partition=batch");
    assertThatThrownBy(() -> own.init(null)).isInstanceOf(AlreadyActiveSessionException.class);
    assertThat(own.getContact()).isEqualTo("partition=batch");
    JobTemplate jt = own.createJobTemplate();
    jt.setRemoteCommand("/bin/true");
    jt.setOutputPath(":/dev/null");
    String id = own.runJob(jt);
    assertThat(own.wait(id, 60).getResourceUsage()).containsEntry("partition", "batch");
    own.deleteJobTemplate(jt);
    assertThatThrownBy(() -> own.runJob(jt))
        .isInstanceOf(org.ggf.drmaa.InvalidJobTemplateException.class);
    own.exit();

    assertThatThrownBy(() -> own.runJob(jt)).isInstanceOf(NoActiveSessionException.class);
    assertThatThrownBy(own::exit).isInstanceOf(NoActiveSessionException.class);
    own.init(null); // a session may begin again
    own.exit();
  }

  @Test
  void aWaitOutlivingExitEnds() throws Exception {
    SlurmSession own = newSession();
    own.init(null);
    JobTemplate jt = own.createJobTemplate();
    jt.setRemoteCommand("/bin/sleep");
    jt.setArgs(List.of("300"));
    jt.setOutputPath(":/dev/null");
    String id = own.runJob(jt);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Object> waiting =
          pool.submit(
              (Callable<Object>)
                  () -> {
                    try {
                      return own.wait(id, Session.TIMEOUT_WAIT_FOREVER);
                    } catch (Exception e) {
                      return e;
                    }
                  });
      Thread.sleep(500);
      own.exit();

      assertThat(waiting.get(30, java.util.concurrent.TimeUnit.SECONDS))
          .isInstanceOf(NoActiveSessionException.class);
    } finally {
      pool.shutdownNow();
      cluster.run("scancel", id);
    }
  }

  @Test
  void attributesSlurmCannotHonourAreRefusedByName() throws Exception {
    JobTemplate jt = shell("true");
    assertThatThrownBy(() -> jt.setDeadlineTime(inSeconds(60)))
        .isInstanceOf(UnsupportedAttributeException.class);
    assertThatThrownBy(() -> jt.setSoftRunDurationLimit(60))
        .isInstanceOf(UnsupportedAttributeException.class);

    jt.setOutputPath("faraway.example.org:/tmp/out");
    assertThatThrownBy(() -> session.runJob(jt))
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessageStartingWith("outputPath");

    jt.setOutputPath(":/dev/null");
    jt.setNativeSpecification("--no-such-option");
    assertThatThrownBy(() -> session.runJob(jt))
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessageStartingWith("nativeSpecification")
        .hasMessageContaining("--no-such-option");

    jt.setNativeSpecification("--time=1 --comment=native");
    String id = session.runJob(jt);
    assertThat(cluster.show(id))
        .containsEntry("TimeLimit", "00:01:00")
        .containsEntry("Comment", "native");
    session.wait(id, 60);

    assertThatThrownBy(() -> session.getJobProgramStatus("999999"))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("Invalid job id");
  }

  private static PartialTimestamp inSeconds(int seconds) {
    PartialTimestamp at = new PartialTimestamp();
    at.setTimeInMillis(System.currentTimeMillis() + seconds * 1000L);
    return at;
  }
}
