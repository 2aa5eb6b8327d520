package surge.drmaa;

import java.util.List;
import java.util.function.Function;
import org.ggf.drmaa.AuthorizationException;
import org.ggf.drmaa.DeniedByDrmException;
import org.ggf.drmaa.DrmaaException;
import org.ggf.drmaa.HoldInconsistentStateException;
import org.ggf.drmaa.InvalidJobException;
import org.ggf.drmaa.ReleaseInconsistentStateException;
import org.ggf.drmaa.ResumeInconsistentStateException;
import org.ggf.drmaa.Session;
import org.ggf.drmaa.SuspendInconsistentStateException;
import surge.slurmcommon.command.JobRecord;

/**
 * {@code Session.control}: TERMINATE is {@code scancel}; HOLD is {@code scontrol uhold} (a user
 * hold, so that the job's owner can release it) and only while the job is queued, because Slurm's
 * hold does not stop a running job; RELEASE is {@code scontrol release} of a held job; SUSPEND and
 * RESUME are {@code scontrol suspend/resume}, which Slurm allows only to operators and
 * administrators (others get DeniedByDrmException). The job's state is read first, so a request
 * that does not fit it fails with the spec's InconsistentState exception naming the state.
 */
final class JobControl {
  /** The session's reading of a job's record (a job Slurm forgot reads as cancelled). */
  @FunctionalInterface
  interface Records {
    JobRecord of(String id) throws DrmaaException;
  }

  private final Slurm slurm;
  private final SessionJobs jobs;
  private final Records records;

  JobControl(Slurm slurm, SessionJobs jobs, Records records) {
    this.slurm = slurm;
    this.jobs = jobs;
    this.records = records;
  }

  void one(String id, int action) throws DrmaaException {
    apply(id, records.of(id), action);
  }

  /**
   * JOB_IDS_SESSION_ALL: the action on every job of the session whose state allows it (HOLD of the
   * queued ones, TERMINATE of those not ended, ...); the others are left as they are.
   */
  void all(List<String> ids, int action) throws DrmaaException {
    DrmaaException first = null;
    for (String id : ids) {
      try {
        apply(id, records.of(id), action);
      } catch (HoldInconsistentStateException
          | ReleaseInconsistentStateException
          | SuspendInconsistentStateException
          | ResumeInconsistentStateException
          | InvalidJobException e) {
        // not in a state the action applies to, or gone from Slurm: nothing to do for it
      } catch (DrmaaException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void apply(String id, JobRecord job, int action) throws DrmaaException {
    int status = ProgramStatus.of(job, jobs.suspendedBySession(id));
    switch (action) {
      case Session.TERMINATE:
        if (!ProgramStatus.ended(status)) {
          slurm.cancel(id);
        }
        return;
      case Session.HOLD:
        hold(id, job, status);
        return;
      case Session.RELEASE:
        if (!ProgramStatus.onHold(status)) {
          throw new ReleaseInconsistentStateException(
              "job " + id + " is not on hold: " + describe(job, status));
        }
        slurm.scontrol("release", id, ReleaseInconsistentStateException::new);
        return;
      case Session.SUSPEND:
        if (status != Session.RUNNING) {
          throw new SuspendInconsistentStateException(
              "job " + id + " is not running: " + describe(job, status));
        }
        operatorOnly("suspend", id, SuspendInconsistentStateException::new);
        jobs.markSuspended(id, true);
        return;
      case Session.RESUME:
        if (status != Session.USER_SUSPENDED
            && status != Session.SYSTEM_SUSPENDED
            && status != Session.USER_SYSTEM_SUSPENDED) {
          throw new ResumeInconsistentStateException(
              "job " + id + " is not suspended: " + describe(job, status));
        }
        operatorOnly("resume", id, ResumeInconsistentStateException::new);
        jobs.markSuspended(id, false);
        return;
      default:
        throw new IllegalArgumentException(
            "action " + action + ": one of SUSPEND, RESUME, HOLD, RELEASE, TERMINATE");
    }
  }

  private void hold(String id, JobRecord job, int status) throws DrmaaException {
    if (status == Session.USER_ON_HOLD || status == Session.USER_SYSTEM_ON_HOLD) {
      return; // held already
    }
    if (status != Session.QUEUED_ACTIVE && status != Session.SYSTEM_ON_HOLD) {
      throw new HoldInconsistentStateException(
          "job "
              + id
              + " cannot be held: "
              + describe(job, status)
              + (status == Session.RUNNING ? " (Slurm's hold does not stop a running job)" : ""));
    }
    slurm.scontrol("uhold", id, HoldInconsistentStateException::new);
    // It may have started between the look and the hold: then the hold would only mark it.
    JobRecord after = records.of(id);
    int now = ProgramStatus.of(after, false);
    if (now == Session.RUNNING || now == Session.SYSTEM_SUSPENDED || ProgramStatus.ended(now)) {
      slurm.scontrol("release", id, HoldInconsistentStateException::new);
      throw new HoldInconsistentStateException(
          "job " + id + " started before the hold took effect: " + describe(after, now));
    }
  }

  private void operatorOnly(String verb, String id, Function<String, DrmaaException> refused)
      throws DrmaaException {
    try {
      slurm.scontrol(verb, id, refused);
    } catch (AuthorizationException e) {
      throw new DeniedByDrmException(
          "Slurm lets only operators and administrators " + verb + " jobs: " + e.getMessage());
    }
  }

  private static String describe(JobRecord job, int status) {
    return "Slurm JobState="
        + job.state()
        + " Reason="
        + job.reason()
        + " (DRMAA "
        + ProgramStatus.name(status)
        + ")";
  }
}
