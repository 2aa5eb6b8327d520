package surge.slurm;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import surge.options.JobOptions;

/**
 * What a job script's {@code #OFFLOAD} lines asked for, checked and with paths resolved.
 *
 * @param job the job, as {@code surge submit} would send it
 * @param rescueAfter {@code --rescue-after}: read by the rescuer, not by the launcher
 * @param warnings lines that are ignored and why, each starting with {@code script:line:}
 */
public record OffloadJob(JobOptions job, Optional<Duration> rescueAfter, List<String> warnings) {
  public OffloadJob {
    warnings = List.copyOf(warnings);
  }
}
