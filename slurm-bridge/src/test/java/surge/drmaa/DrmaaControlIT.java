package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import org.ggf.drmaa.ExitTimeoutException;
import org.ggf.drmaa.HoldInconsistentStateException;
import org.ggf.drmaa.JobInfo;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.ReleaseInconsistentStateException;
import org.ggf.drmaa.ResumeInconsistentStateException;
import org.ggf.drmaa.Session;
import org.ggf.drmaa.SuspendInconsistentStateException;
import org.junit.jupiter.api.Test;

/**
 * DRMAA 1.0 job control against real Slurm: terminate (running and pending jobs), hold and release
 * (queued, submitted on hold, and the inconsistent running case), suspend and resume.
 */
class DrmaaControlIT extends DrmaaOnSlurm {
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
}
