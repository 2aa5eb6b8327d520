package surge.drmaa;

import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.ggf.drmaa.JobInfo;
import surge.slurmcommon.command.JobRecord;

/**
 * How an ended job went, from its {@code scontrol show job} record. {@code ExitCode=N:S} gives the
 * exit status N or the terminating signal S; Slurm keeps no core-dump flag, so {@link
 * #hasCoreDump()} is always false. A job cancelled (or otherwise ended) before it ever got a node
 * {@link #wasAborted() was aborted} and has neither exited nor been signalled.
 *
 * <p>A job that Slurm ended itself (scancel, its time limit, preemption, a deadline) while it ran
 * is signalled: Slurm sends SIGTERM, then SIGKILL after {@code KillWait}. When the record carries
 * no signal ({@code ExitCode=0:0}: the job ended before its batch step reported one, as when it is
 * cancelled right after it started), the answer is SIGTERM, never "exited 0".
 */
final class SlurmJobInfo implements JobInfo {
  private static final Set<String> ENDED_BY_SLURM =
      Set.of("CANCELLED", "TIMEOUT", "PREEMPTED", "DEADLINE");
  private static final int SIGTERM = 15;

  private final String jobId;
  private final JobRecord record;
  private final ZoneId zone;

  SlurmJobInfo(String jobId, JobRecord record, ZoneId zone) {
    this.jobId = jobId;
    this.record = record;
    this.zone = zone;
  }

  @Override
  public String getJobId() {
    return jobId;
  }

  /**
   * Times in seconds since the epoch ({@code submission_time}, {@code start_time}, {@code
   * end_time}), {@code wallclock} (run time in seconds), and Slurm's own words: {@code
   * slurm_state}, {@code slurm_reason}, {@code exit_code} ({@code N:S}), {@code partition}, {@code
   * nodes}, {@code cpus}.
   */
  @Override
  public Map<String, String> getResourceUsage() {
    Map<String, String> usage = new LinkedHashMap<>();
    record.epochSeconds("SubmitTime", zone).ifPresent(s -> usage.put("submission_time", "" + s));
    if (record.everRan()) {
      record.epochSeconds("StartTime", zone).ifPresent(s -> usage.put("start_time", "" + s));
      record.epochSeconds("EndTime", zone).ifPresent(s -> usage.put("end_time", "" + s));
      record.runSeconds().ifPresent(s -> usage.put("wallclock", "" + s));
    }
    usage.put("slurm_state", record.state());
    usage.put("slurm_reason", record.reason());
    record.field("ExitCode").ifPresent(v -> usage.put("exit_code", v));
    record.field("Partition").ifPresent(v -> usage.put("partition", v));
    record.field("NodeList").ifPresent(v -> usage.put("nodes", v));
    record.field("NumCPUs").ifPresent(v -> usage.put("cpus", v));
    return Collections.unmodifiableMap(usage);
  }

  @Override
  public boolean hasExited() {
    return !wasAborted() && signal() == 0 && !lostWithItsNode();
  }

  /** Only when {@link #hasExited()}; else there is no exit status to tell. */
  @Override
  public int getExitStatus() {
    if (!hasExited()) {
      throw new IllegalStateException("job " + jobId + " did not exit: " + describe());
    }
    return record.exitStatus();
  }

  @Override
  public boolean hasSignaled() {
    return !wasAborted() && signal() != 0;
  }

  /** The signal's name, e.g. {@code SIGTERM}; only when {@link #hasSignaled()}. */
  @Override
  public String getTerminatingSignal() {
    if (!hasSignaled()) {
      throw new IllegalStateException("job " + jobId + " was not signalled: " + describe());
    }
    return Signals.name(signal());
  }

  @Override
  public boolean hasCoreDump() {
    return false;
  }

  @Override
  public boolean wasAborted() {
    return !record.state().equals("COMPLETED") && !record.everRan();
  }

  private int signal() {
    int signal = record.terminatingSignal();
    if (signal == 0 && record.exitStatus() == 0 && ENDED_BY_SLURM.contains(record.state())) {
      return SIGTERM;
    }
    return signal;
  }

  /** A node or boot failure ends a job without an exit status of its own. */
  private boolean lostWithItsNode() {
    String state = record.state();
    return state.equals("NODE_FAIL") || state.equals("BOOT_FAIL");
  }

  private String describe() {
    return "Slurm says JobState="
        + record.state()
        + " Reason="
        + record.reason()
        + " ExitCode="
        + record.field("ExitCode").orElse("?");
  }

  @Override
  public String toString() {
    return "JobInfo[" + jobId + ": " + describe() + "]";
  }
}
