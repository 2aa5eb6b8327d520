package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.ggf.drmaa.JobInfo;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import surge.e2e.SlurmCluster;

/**
 * Holding, releasing and terminating single and bulk jobs, then waiting on them, as a workflow
 * engine does, against the real local cluster. Each test has a session of its own, because the
 * session-wide waits ({@code JOB_IDS_SESSION_ANY/ALL}) must see only that test's jobs.
 *
 * <p>Slurm 22.05 forgets a cancelled pending element of an array that was never split: {@code
 * scontrol show job N_1} then answers {@code Job N_1 not found}. Such a job of the session was
 * cancelled, so it reads as FAILED and aborted, and the session's waits go on.
 */
class DrmaaHoldIT {
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static SlurmCluster cluster;
  private SlurmSession session;
  private Path dir;

  @BeforeAll
  static void cluster() throws Exception {
    cluster = SlurmCluster.shared();
  }

  @BeforeEach
  void session(org.junit.jupiter.api.TestInfo test) throws Exception {
    session = new SlurmSession(cluster.env(), Duration.ofSeconds(30), Site.ofThisProcess());
    session.init(null);
    dir =
        Files.createDirectories(
            Path.of("target/drmaa-hold-it", test.getTestMethod().orElseThrow().getName())
                .toAbsolutePath());
  }

  @AfterEach
  void end() throws Exception {
    session.control(Session.JOB_IDS_SESSION_ALL, Session.TERMINATE);
    session.exit();
  }

  private JobTemplate held(String command) throws Exception {
    JobTemplate jt = session.createJobTemplate();
    jt.setRemoteCommand("/bin/sh");
    jt.setArgs(List.of("-c", command));
    jt.setWorkingDirectory(dir.toString());
    jt.setOutputPath(":" + dir.resolve("out.txt"));
    jt.setJobSubmissionState(JobTemplate.HOLD_STATE);
    return jt;
  }

  @Test
  void aHeldJobTerminatedIsWaitedAsAborted() throws Exception {
    String id = session.runJob(held("true"));
    assertThat(session.getJobProgramStatus(id)).isEqualTo(Session.USER_ON_HOLD);

    session.control(id, Session.TERMINATE);
    JobInfo info = session.wait(id, WITHIN.toSeconds());

    assertThat(info.wasAborted()).isTrue();
    assertThat(info.hasExited()).isFalse();
  }

  @Test
  void aHeldJobReleasedRunsToDone() throws Exception {
    String id = session.runJob(held("exit 0"));
    session.control(id, Session.RELEASE);

    JobInfo info = session.wait(id, WITHIN.toSeconds());

    assertThat(info.hasExited()).isTrue();
    assertThat(info.getExitStatus()).isZero();
  }

  @Test
  void aTerminatedElementOfAHeldBulkJobReadsFailedAndTheSessionGoesOn() throws Exception {
    List<String> ids = session.runBulkJobs(held("exit 0"), 1, 3, 1);
    for (String id : ids) {
      assertThat(session.getJobProgramStatus(id)).as(id).isEqualTo(Session.USER_ON_HOLD);
    }

    session.control(ids.get(0), Session.TERMINATE);

    // Slurm forgets the element at once ("Job N_1 not found"); the session knows it was its own.
    assertThat(cluster.run("scontrol", "show", "job", "-o", ids.get(0)).output())
        .contains("not found");
    assertThat(session.getJobProgramStatus(ids.get(0))).isEqualTo(Session.FAILED);
    for (String id : ids.subList(1, 3)) {
      assertThat(session.getJobProgramStatus(id)).as(id).isEqualTo(Session.USER_ON_HOLD);
      session.control(id, Session.RELEASE);
    }
    session.synchronize(List.of(Session.JOB_IDS_SESSION_ALL), WITHIN.toSeconds(), false);
    List<JobInfo> infos = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      infos.add(session.wait(Session.JOB_IDS_SESSION_ANY, WITHIN.toSeconds()));
    }

    List<String> waited = new ArrayList<>();
    for (JobInfo info : infos) {
      waited.add(info.getJobId());
      if (info.getJobId().equals(ids.get(0))) {
        assertThat(info.wasAborted()).isTrue();
        assertThat(info.hasExited()).isFalse();
      } else {
        assertThat(info.hasExited()).as(info.getJobId()).isTrue();
        assertThat(info.getExitStatus()).as(info.getJobId()).isZero();
      }
    }
    assertThat(waited).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void aHeldBulkJobTerminatedWholeIsWaitedAsAbortedElementByElement() throws Exception {
    List<String> ids = session.runBulkJobs(held("true"), 1, 4, 1);

    session.control(Session.JOB_IDS_SESSION_ALL, Session.TERMINATE);

    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      JobInfo info = session.wait(Session.JOB_IDS_SESSION_ANY, WITHIN.toSeconds());
      assertThat(info.wasAborted()).as(info.getJobId()).isTrue();
      seen.add(info.getJobId());
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void aBulkJobHeldAfterSubmissionIsReleasedAndRuns() throws Exception {
    JobTemplate jt = held("exit 0");
    jt.setJobSubmissionState(JobTemplate.ACTIVE_STATE);
    jt.setNativeSpecification("--begin=now+60");
    List<String> ids = session.runBulkJobs(jt, 1, 2, 1);

    session.control(Session.JOB_IDS_SESSION_ALL, Session.HOLD);
    for (String id : ids) {
      assertThat(session.getJobProgramStatus(id)).as(id).isEqualTo(Session.USER_ON_HOLD);
    }
    session.control(ids.get(1), Session.TERMINATE);
    assertThat(session.getJobProgramStatus(ids.get(1))).isEqualTo(Session.FAILED);

    session.control(Session.JOB_IDS_SESSION_ALL, Session.RELEASE);
    cluster.run("scontrol", "update", "JobId=" + ids.get(0), "StartTime=now");
    session.synchronize(List.of(Session.JOB_IDS_SESSION_ALL), WITHIN.toSeconds(), true);

    assertThat(session.getJobProgramStatus(ids.get(0))).isEqualTo(Session.DONE);
  }
}
