package surge.rescue.control;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import surge.slurmcommon.command.CommandRunner;
import surge.slurmcommon.command.JobRecord;
import surge.slurmcommon.command.Output;
import surge.slurmcommon.command.SlurmAnswer;
import surge.slurmcommon.command.SlurmCommands;
import surge.slurmcommon.command.SlurmException;
import surge.slurmcommon.command.SlurmTimes;

/**
 * The Slurm commands the rescuer runs ({@code squeue}, {@code scontrol}), through the one runner
 * and reading of {@code slurm-common}, with {@code SLURM_CONF} from the configuration. Slurm prints
 * times in slurmctld's local time zone, which is taken to be the server's.
 */
public final class Slurm {
  private static final String SQUEUE_FORMAT =
      "JobID:|,ArrayTaskID:|,UserName:|,Partition:|,EligibleTime:|,Reason:|,NumCPUs:|,"
          + "TimeLimit:|,WorkDir:|";

  private final CommandRunner runner;
  private final ZoneId zone;

  public Slurm(CommandRunner runner, ZoneId zone) {
    this.runner = runner;
    this.zone = zone;
  }

  /** Runs the commands as processes with {@code SLURM_CONF} set when given. */
  public static Slurm commands(Optional<String> slurmConf, Duration timeout) {
    Map<String, String> extra = new LinkedHashMap<>();
    slurmConf.ifPresent(c -> extra.put("SLURM_CONF", c));
    return new Slurm(SlurmCommands.inheriting(extra, timeout), ZoneId.systemDefault());
  }

  /** The pending jobs of {@code partitions}: one {@code squeue} call. */
  public List<PendingJob> pending(List<String> partitions) {
    String out =
        runner.check(
            List.of(
                "squeue",
                "-h",
                "-t",
                "PENDING",
                "-p",
                String.join(",", partitions),
                "-O",
                SQUEUE_FORMAT));
    List<PendingJob> jobs = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\\|", 9);
      if (f.length < 9) {
        throw new SlurmException(
            SlurmAnswer.REFUSED, "squeue printed a line the rescuer cannot read: " + line);
      }
      jobs.add(
          new PendingJob(
              f[0].strip(),
              !"N/A".equals(f[1].strip()),
              f[2].strip(),
              f[3].strip(),
              SlurmTimes.instant(f[4], zone),
              f[5].strip(),
              parseInt(f[6].strip(), 1),
              SlurmTimes.duration(f[7]),
              Path.of(f[8].strip().replaceAll("\\|$", ""))));
    }
    return jobs;
  }

  /** The job's batch script ({@code scontrol write batch_script ID -}). */
  public String batchScript(String jobId) {
    return runner.check(List.of("scontrol", "write", "batch_script", jobId, "-"));
  }

  /** {@code scontrol update JobId=ID FIELD=VALUE...}. */
  public void update(String jobId, String... fields) {
    List<String> cmd = new ArrayList<>(List.of("scontrol", "update", "JobId=" + jobId));
    cmd.addAll(List.of(fields));
    runner.check(cmd);
  }

  /** {@code scontrol requeue ID}. */
  public void requeue(String jobId) {
    runner.check(List.of("scontrol", "requeue", jobId));
  }

  /**
   * {@code scontrol show job -o ID} as fields (JobState, Reason, Partition, ...); empty when Slurm
   * no longer knows the job.
   */
  public Map<String, String> show(String jobId) {
    Output out = runner.run(List.of("scontrol", "show", "job", "-o", jobId));
    if (SlurmAnswer.of(out) == SlurmAnswer.UNKNOWN_JOB) {
      return new LinkedHashMap<>();
    }
    if (!out.ok()) {
      throw SlurmException.of(out);
    }
    List<JobRecord> records = JobRecord.parseAll(out.stdout());
    return records.isEmpty() ? new LinkedHashMap<>() : new LinkedHashMap<>(records.get(0).fields());
  }

  private static int parseInt(String s, int fallback) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
