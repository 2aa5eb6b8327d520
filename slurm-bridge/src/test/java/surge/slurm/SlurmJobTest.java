package surge.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlurmJobTest {
  @Test
  void aBatchJobIsNamedByItsIdAndWorksInItsWorkingDirectoryNotItsSubmitDirectory() {
    SlurmJob job =
        SlurmJob.from(
            Map.of("SLURM_JOB_ID", "42", "SLURM_JOB_NAME", "pi", "SLURM_SUBMIT_DIR", "/home/u"),
            Path.of("/scratch/u/run"));

    assertThat(job.id()).contains("42");
    assertThat(job.name()).contains("pi");
    assertThat(job.workDir()).isEqualTo(Path.of("/scratch/u/run"));
  }

  @Test
  void anArrayElementIsNamedArrayUnderscoreTask() {
    SlurmJob job =
        SlurmJob.from(
            Map.of("SLURM_JOB_ID", "11", "SLURM_ARRAY_JOB_ID", "11", "SLURM_ARRAY_TASK_ID", "3"),
            Path.of("/tmp"));

    assertThat(job.id()).contains("11_3");
  }

  @Test
  void outsideSlurmThereIsNoIdAndARelativeWorkingDirectoryIsMadeAbsolute() {
    SlurmJob job = SlurmJob.from(Map.of("SLURM_ARRAY_TASK_ID", "3"), Path.of(""));

    assertThat(job.id()).isEmpty();
    assertThat(job.workDir()).isEqualTo(Path.of("").toAbsolutePath());
  }
}
