package surge.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlurmJobTest {
  @Test
  void aBatchJobIsNamedByItsIdAndWorksInItsSubmitDirectory() {
    SlurmJob job =
        SlurmJob.from(
            Map.of(
                "SLURM_JOB_ID", "42", "SLURM_JOB_NAME", "pi", "SLURM_SUBMIT_DIR", "/home/u/run"));

    assertThat(job.id()).contains("42");
    assertThat(job.name()).contains("pi");
    assertThat(job.workDir()).isEqualTo(Path.of("/home/u/run"));
  }

  @Test
  void anArrayElementIsNamedArrayUnderscoreTask() {
    SlurmJob job =
        SlurmJob.from(
            Map.of("SLURM_JOB_ID", "11", "SLURM_ARRAY_JOB_ID", "11", "SLURM_ARRAY_TASK_ID", "3"));

    assertThat(job.id()).contains("11_3");
  }

  @Test
  void outsideSlurmThereIsNoIdAndTheCurrentDirectoryIsTheWorkingDirectory() {
    SlurmJob job = SlurmJob.from(Map.of("SLURM_ARRAY_TASK_ID", "3", "SLURM_SUBMIT_DIR", " "));

    assertThat(job.id()).isEmpty();
    assertThat(job.workDir()).isEqualTo(Path.of("").toAbsolutePath());
  }
}
