package surge.slurm;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a process learns from its environment about the Slurm job it runs in.
 *
 * @param id {@code SLURM_JOB_ID}; empty outside Slurm
 * @param name {@code SLURM_JOB_NAME}
 * @param workDir what relative paths in the job script are relative to: {@code SLURM_SUBMIT_DIR},
 *     else the current directory. Not the script's directory: slurmd runs a copy of the script from
 *     its spool directory.
 */
public record SlurmJob(Optional<String> id, Optional<String> name, Path workDir) {
  public static SlurmJob from(Map<String, String> env) {
    return new SlurmJob(
        value(env, "SLURM_JOB_ID"),
        value(env, "SLURM_JOB_NAME"),
        value(env, "SLURM_SUBMIT_DIR").map(Path::of).orElse(Path.of("").toAbsolutePath()));
  }

  private static Optional<String> value(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }
}
