package surge.slurmcommon.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one runner, against small shell scripts named like Slurm's commands on a PATH of their own.
 */
class SlurmCommandsTest {
  @TempDir Path dir;

  private SlurmCommands commands(Duration timeout) {
    return SlurmCommands.withEnvironment(
        Map.of("PATH", dir + ":/usr/bin:/bin", "SLURM_CONF", "/etc/slurm/test.conf"), timeout);
  }

  private void fake(String name, String body) throws Exception {
    Path script = dir.resolve(name);
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void answersStdoutAndStderrApartWithTheExitCodeAndTheEnvironment() throws Exception {
    fake("scontrol", "echo \"$SLURM_CONF $*\"; echo 'Job 7_1 not found' >&2; exit 1");

    Output out = commands(Duration.ofSeconds(10)).run(List.of("scontrol", "show", "job", "7_1"));

    assertThat(out.stdout()).isEqualTo("/etc/slurm/test.conf show job 7_1\n");
    assertThat(out.stderr()).isEqualTo("Job 7_1 not found\n");
    assertThat(out.exitCode()).isEqualTo(1);
    assertThat(out.ok()).isFalse();
    assertThat(SlurmAnswer.of(out)).isEqualTo(SlurmAnswer.UNKNOWN_JOB);
  }

  @Test
  void givesStdinWhenAsked() throws Exception {
    fake("sbatch", "cat");

    Output out =
        commands(Duration.ofSeconds(10)).run(List.of("sbatch"), Optional.of("#!/bin/sh\n"));

    assertThat(out.stdout()).isEqualTo("#!/bin/sh\n");
  }

  @Test
  void aCommandThatDoesNotAnswerInTimeIsStopped() throws Exception {
    fake("squeue", "exec sleep 30");

    long start = System.nanoTime();
    assertThatThrownBy(() -> commands(Duration.ofMillis(300)).run(List.of("squeue")))
        .isInstanceOf(SlurmException.class)
        .hasMessageContaining("squeue did not answer within")
        .satisfies(
            e -> assertThat(((SlurmException) e).answer()).isEqualTo(SlurmAnswer.UNREACHABLE));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void keepsAtMostTheBoundOfEachStream() throws Exception {
    fake("scontrol", "head -c 100000 /dev/zero | tr '\\0' x");

    Output out = commands(Duration.ofSeconds(10)).keepingAtMost(1000).run(List.of("scontrol"));

    assertThat(out.stdout()).hasSize(1000);
    assertThat(out.truncated()).isTrue();
    assertThat(out.exitCode()).isZero();
  }

  @Test
  void aCommandNotOnTheCallersPathIsNotTakenFromThisProcesssPath() {
    SlurmCommands nowhere =
        SlurmCommands.withEnvironment(Map.of("PATH", dir.toString()), Duration.ofSeconds(1));

    assertThatThrownBy(() -> nowhere.run(List.of("sh", "-c", "true")))
        .isInstanceOf(SlurmException.class)
        .hasMessage("sh is not on the PATH (" + dir + ")");
  }

  @Test
  void checkAnswersStdoutOrThrowsWithSlurmsWords() throws Exception {
    fake("scontrol", "echo 'Job is no longer pending execution for job 3' >&2; exit 1");

    assertThatThrownBy(() -> commands(Duration.ofSeconds(5)).check(List.of("scontrol", "update")))
        .isInstanceOf(SlurmException.class)
        .hasMessage("scontrol update failed (exit 1): Job is no longer pending execution for job 3")
        .satisfies(
            e -> assertThat(((SlurmException) e).answer()).isEqualTo(SlurmAnswer.NOT_PENDING));
  }
}
