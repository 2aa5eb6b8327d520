package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.util.List;
import org.ggf.drmaa.Session;
import org.junit.jupiter.api.Test;
import surge.slurmcommon.command.JobRecord;

/** {@code scontrol show job -o} lines as Slurm 22.05 prints them, and what DRMAA makes of them. */
class JobRecordTest {
  static final String FAILED_3 =
      "JobId=3 JobName=sbatch UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901757"
          + " Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode"
          + " Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0"
          + " RunTime=00:00:02 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-11-23T17:34:17"
          + " EligibleTime=2026-11-23T17:34:17 AccrueTime=2026-11-23T17:34:17"
          + " StartTime=2026-11-23T17:34:17 EndTime=2026-11-23T17:34:19 Deadline=N/A"
          + " SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-11-23T17:34:17 Scheduler=Main"
          + " Partition=volunteer AllocNode:Sid=localhost:14787 ReqNodeList=(null)"
          + " ExcNodeList=(null) NodeList=vol BatchHost=vol NumNodes=1 NumCPUs=1 NumTasks=1"
          + " CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,node=1,billing=1 Socks/Node=*"
          + " Comment=two words here Command=(null) WorkDir=/tmp/my dir StdErr=/tmp/dr-3.out"
          + " StdIn=/dev/null StdOut=/tmp/dr-3.out Power= ";

  static final String PENDING_ARRAY =
      "JobId=7 ArrayJobId=7 ArrayTaskId=1,3,5-9:2%2 JobName=sbatch UserId=root(0)"
          + " JobState=PENDING Reason=JobHeldUser ExitCode=0:0 RunTime=00:00:00"
          + " StartTime=Unknown EndTime=Unknown Partition=volunteer NodeList= NumCPUs=1";

  static final String CANCELLED_PENDING =
      "JobId=5 JobName=sbatch JobState=CANCELLED Reason=JobHeldUser ExitCode=0:0"
          + " RunTime=00:00:00 SubmitTime=2026-11-23T17:34:17 StartTime=2026-11-23T17:34:19"
          + " EndTime=2026-11-23T17:34:19 Partition=volunteer NodeList= NumCPUs=1";

  static final String CANCELLED_RUNNING =
      "JobId=6 JobName=sbatch JobState=CANCELLED Reason=None ExitCode=0:15 RunTime=1-02:03:04"
          + " StartTime=2026-11-23T17:34:17 EndTime=2026-11-24T19:37:21 NodeList=vol"
          + " BatchHost=vol";

  @Test
  void fieldsKeepTheirBlanksAndOddKeys() {
    JobRecord job = JobRecord.parseLine(FAILED_3);

    assertThat(job.jobId()).isEqualTo("3");
    assertThat(job.state()).isEqualTo("FAILED");
    assertThat(job.field("Comment")).contains("two words here");
    assertThat(job.field("WorkDir")).contains("/tmp/my dir");
    assertThat(job.field("AllocNode:Sid")).contains("localhost:14787");
    assertThat(job.field("TRES")).contains("cpu=1,node=1,billing=1");
    assertThat(job.field("Account")).isEmpty();
    assertThat(job.field("Power")).isEmpty();
    assertThat(job.exitStatus()).isEqualTo(3);
    assertThat(job.terminatingSignal()).isZero();
    assertThat(job.runSeconds()).hasValue(2);
    assertThat(job.drmaaIds()).containsExactly("3");
  }

  @Test
  void pendingArrayElementsShareOneRecord() {
    List<JobRecord> jobs = JobRecord.parseAll(FAILED_3 + "\n\n" + PENDING_ARRAY + "\n");

    assertThat(jobs).hasSize(2);
    assertThat(jobs.get(1).drmaaIds()).containsExactly("7_1", "7_3", "7_5", "7_7", "7_9");
    assertThat(JobRecord.arrayTasks("4")).containsExactly(4L);
    assertThat(JobRecord.arrayTasks("1-3,10-20:5")).containsExactly(1L, 2L, 3L, 10L, 15L, 20L);
  }

  @Test
  void statesAndReasonsMapToDrmaa() {
    assertThat(status("JobState=PENDING Reason=Priority")).isEqualTo(Session.QUEUED_ACTIVE);
    assertThat(status("JobState=PENDING Reason=BeginTime")).isEqualTo(Session.QUEUED_ACTIVE);
    assertThat(status("JobState=PENDING Reason=JobHeldUser")).isEqualTo(Session.USER_ON_HOLD);
    assertThat(status("JobState=PENDING Reason=JobHeldAdmin")).isEqualTo(Session.SYSTEM_ON_HOLD);
    assertThat(status("JobState=REQUEUED Reason=None")).isEqualTo(Session.QUEUED_ACTIVE);
    assertThat(status("JobState=REQUEUE_HOLD Reason=None")).isEqualTo(Session.SYSTEM_ON_HOLD);
    assertThat(status("JobState=RUNNING Reason=None")).isEqualTo(Session.RUNNING);
    assertThat(status("JobState=COMPLETING Reason=None")).isEqualTo(Session.RUNNING);
    assertThat(status("JobState=CONFIGURING Reason=None")).isEqualTo(Session.RUNNING);
    assertThat(status("JobState=SUSPENDED Reason=None")).isEqualTo(Session.SYSTEM_SUSPENDED);
    assertThat(ProgramStatus.of(JobRecord.parseLine("JobId=1 JobState=SUSPENDED"), true))
        .isEqualTo(Session.USER_SUSPENDED);
    assertThat(status("JobState=COMPLETED Reason=None")).isEqualTo(Session.DONE);
    for (String ended :
        List.of("FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY")) {
      assertThat(status("JobState=" + ended + " Reason=None")).as(ended).isEqualTo(Session.FAILED);
    }
    assertThat(status("JobState=SOMETHING_NEW Reason=None")).isEqualTo(Session.UNDETERMINED);
  }

  private static int status(String fields) {
    return ProgramStatus.of(JobRecord.parseLine("JobId=1 " + fields), false);
  }

  @Test
  void aNonZeroExitIsAnExitWithItsStatusAndTheResourcesUsed() {
    SlurmJobInfo info = new SlurmJobInfo("3", JobRecord.parseLine(FAILED_3), ZoneId.of("UTC"));

    assertThat(info.hasExited()).isTrue();
    assertThat(info.getExitStatus()).isEqualTo(3);
    assertThat(info.hasSignaled()).isFalse();
    assertThat(info.wasAborted()).isFalse();
    assertThat(info.hasCoreDump()).isFalse();
    assertThat(info.getResourceUsage())
        .containsEntry("start_time", "1795455257")
        .containsEntry("end_time", "1795455259")
        .containsEntry("wallclock", "2")
        .containsEntry("nodes", "vol")
        .containsEntry("partition", "volunteer")
        .containsEntry("exit_code", "3:0")
        .containsEntry("slurm_state", "FAILED");
  }

  @Test
  void aJobCancelledWhileRunningWasSignalledWithSigterm() {
    SlurmJobInfo info =
        new SlurmJobInfo("6", JobRecord.parseLine(CANCELLED_RUNNING), ZoneId.of("UTC"));

    assertThat(info.hasSignaled()).isTrue();
    assertThat(info.getTerminatingSignal()).isEqualTo("SIGTERM");
    assertThat(info.hasExited()).isFalse();
    assertThat(info.wasAborted()).isFalse();
    assertThat(info.getResourceUsage()).containsEntry("wallclock", "" + (86_400 + 7384));
    org.assertj.core.api.Assertions.assertThatThrownBy(info::getExitStatus)
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aJobSlurmEndedWithoutASignalOnRecordWasSignalledWithSigterm() {
    for (String state : List.of("CANCELLED", "TIMEOUT")) {
      SlurmJobInfo info =
          new SlurmJobInfo(
              "6",
              JobRecord.parseLine(
                  CANCELLED_RUNNING
                      .replace("ExitCode=0:15", "ExitCode=0:0")
                      .replace("JobState=CANCELLED", "JobState=" + state)),
              ZoneId.of("UTC"));

      assertThat(info.hasExited()).as(state).isFalse();
      assertThat(info.getTerminatingSignal()).as(state).isEqualTo("SIGTERM");
    }
  }

  @Test
  void aJobCancelledWhilePendingWasAborted() {
    SlurmJobInfo info =
        new SlurmJobInfo("5", JobRecord.parseLine(CANCELLED_PENDING), ZoneId.of("UTC"));

    assertThat(info.wasAborted()).isTrue();
    assertThat(info.hasExited()).isFalse();
    assertThat(info.hasSignaled()).isFalse();
    assertThat(info.getResourceUsage()).doesNotContainKeys("start_time", "end_time", "nodes");
  }

  @Test
  void signalNumbersHaveTheirNames() {
    assertThat(Signals.name(9)).isEqualTo("SIGKILL");
    assertThat(Signals.name(15)).isEqualTo("SIGTERM");
    assertThat(Signals.name(11)).isEqualTo("SIGSEGV");
    assertThat(Signals.name(35)).isEqualTo("SIGRTMIN+1");
    assertThat(Signals.name(99)).isEqualTo("SIG99");
  }
}
