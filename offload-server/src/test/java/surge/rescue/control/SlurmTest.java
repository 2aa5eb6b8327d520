package surge.rescue.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import surge.slurmcommon.command.Output;
import surge.slurmcommon.command.SlurmException;

class SlurmTest {
  final List<List<String>> commands = new ArrayList<>();

  Slurm answering(int code, String text) {
    return new Slurm(
        (cmd, stdin) -> {
          commands.add(cmd);
          return code == 0 ? Output.of(cmd, code, text) : new Output(cmd, code, "", text, false);
        },
        ZoneOffset.UTC);
  }

  @Test
  void listsPendingJobsOfTheWatchedPartitionsWithOneSqueue() {
    var slurm =
        answering(
            0,
            "6|N/A|alice|batch|2026-11-23T17:34:52|Resources|4|30:00|/home/alice/run|\n"
                + "9|2|bob|batch|2026-11-23T17:34:52|Priority|1|1-02:00:00|/tmp|\n"
                + "7|N/A|carol|gpu|N/A|JobHeldUser|1|UNLIMITED|/tmp|\n");
    List<PendingJob> jobs = slurm.pending(List.of("batch", "gpu"));
    assertThat(commands).hasSize(1);
    assertThat(commands.get(0)).containsSubsequence("squeue", "-t", "PENDING", "-p", "batch,gpu");
    var first = jobs.get(0);
    assertThat(first.id()).isEqualTo("6");
    assertThat(first.user()).isEqualTo("alice");
    assertThat(first.eligibleAt()).contains(Instant.parse("2026-11-23T17:34:52Z"));
    assertThat(first.cpus()).isEqualTo(4);
    assertThat(first.timeLimit()).contains(Duration.ofMinutes(30));
    assertThat(first.workDir()).isEqualTo(Path.of("/home/alice/run"));
    assertThat(first.notRescuable()).isEmpty();
    assertThat(jobs.get(1).arrayTask()).isTrue();
    assertThat(jobs.get(1).timeLimit()).contains(Duration.ofHours(26));
    assertThat(jobs.get(1).notRescuable()).get().asString().contains("array");
    assertThat(jobs.get(2).eligibleAt()).isEmpty();
    assertThat(jobs.get(2).timeLimit()).isEmpty();
    assertThat(jobs.get(2).notRescuable()).get().asString().contains("held");
  }

  @Test
  void readsScontrolShowJobFieldsWithBlanksInValues() {
    var slurm =
        answering(
            0,
            "JobId=42 JobName=pi UserId=root(0) JobState=PENDING Reason=BeginTime"
                + " Comment=surge failed: deadline passed Partition=batch\n");
    var fields = slurm.show("42");
    assertThat(fields)
        .containsEntry("JobState", "PENDING")
        .containsEntry("Reason", "BeginTime")
        .containsEntry("Comment", "surge failed: deadline passed")
        .containsEntry("Partition", "batch");
  }

  @Test
  void aFailedCommandSaysWhichAndWhy() {
    var slurm = answering(1, "slurm_update error: Job is no longer pending execution\n");
    assertThatThrownBy(() -> slurm.update("42", "Partition=volunteer"))
        .isInstanceOf(SlurmException.class)
        .hasMessageContaining("scontrol update JobId=42 Partition=volunteer failed (exit 1)")
        .hasMessageContaining("no longer pending");
  }

  @Test
  void readsSqueuesRealOutput() throws Exception {
    var slurm =
        answering(
            0,
            java.nio.file.Files.readString(
                Path.of("../slurm-common/golden/commands/squeue-pending/stdout")));

    List<PendingJob> jobs = slurm.pending(List.of("batch", "volunteer"));

    assertThat(jobs).extracting(PendingJob::id).containsExactly("10", "12", "11", "7");
    assertThat(jobs.get(0).timeLimit()).contains(Duration.ofHours(26));
    assertThat(jobs.get(0).cpus()).isEqualTo(2);
    assertThat(jobs.get(0).eligibleAt()).contains(Instant.parse("2026-12-04T02:43:33Z"));
    assertThat(jobs.get(0).notRescuable()).isEmpty();
    assertThat(jobs.get(1).arrayTask()).isTrue();
    assertThat(jobs.get(2).notRescuable()).get().asString().contains("held");
    assertThat(jobs.get(3).workDir()).isEqualTo(Path.of("/home/alice/run"));
  }

  @Test
  void aJobSlurmForgotShowsNoFields() {
    var slurm = answering(1, "slurm_load_jobs error: Invalid job id specified\n");

    assertThat(slurm.show("987654")).isEmpty();
  }
}
