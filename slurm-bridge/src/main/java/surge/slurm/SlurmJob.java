package surge.slurm;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a process learns from its environment about the Slurm job it runs in.
 *
 * @param id the job as scontrol names it: {@code SLURM_JOB_ID}, or {@code ARRAYID_TASKID} for an
 *     element of a job array (the last element shares its {@code SLURM_JOB_ID} with the array, so
 *     that id would name every element); empty outside Slurm
 * @param name {@code SLURM_JOB_NAME}
 * @param workDir what relative paths in the job script are relative to: the job's working
 *     directory, which is the launcher's current directory (slurmd starts the script there: {@code
 *     sbatch --chdir}, by default the submit directory), as Slurm reads a relative {@code #SBATCH
 *     --output}. Not the script's directory: slurmd runs a copy of the script from its spool
 *     directory.
 */
public record SlurmJob(Optional<String> id, Optional<String> name, Path workDir) {
  public static SlurmJob from(Map<String, String> env, Path workingDirectory) {
    Optional<String> arrayJob = value(env, "SLURM_ARRAY_JOB_ID");
    Optional<String> arrayTask = value(env, "SLURM_ARRAY_TASK_ID");
    Optional<String> id =
        value(env, "SLURM_JOB_ID")
            .map(
                job ->
                    arrayJob.isPresent() && arrayTask.isPresent()
                        ? arrayJob.get() + "_" + arrayTask.get()
                        : job);
    return new SlurmJob(id, value(env, "SLURM_JOB_NAME"), workingDirectory.toAbsolutePath());
  }

  private static Optional<String> value(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }
}
