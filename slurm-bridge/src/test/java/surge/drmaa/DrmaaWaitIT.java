package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.ggf.drmaa.ExitTimeoutException;
import org.ggf.drmaa.InvalidJobException;
import org.ggf.drmaa.JobInfo;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.NoActiveSessionException;
import org.ggf.drmaa.Session;
import org.junit.jupiter.api.Test;

/**
 * DRMAA 1.0 job states and waiting against real Slurm: exit status, signals and resources used,
 * queued to running to done, wait and synchronize (any, all, dispose, timeouts), a job reaped once
 * when threads race, and a wait that outlives the job's exit.
 */
class DrmaaWaitIT extends DrmaaOnSlurm {
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
}
