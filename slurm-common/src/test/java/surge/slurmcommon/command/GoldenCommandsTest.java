package surge.slurmcommon.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import surge.slurmcommon.Golden;

/**
 * Slurm's real answers ({@code golden/commands}, captured from Slurm 22.05) read as expected: how
 * the command ended ({@link SlurmAnswer}), the job's state ({@link JobState}) and fields.
 */
class GoldenCommandsTest {
  static Stream<Path> commands() {
    return Golden.commands().stream();
  }

  static Output output(Path dir) {
    return new Output(
        Arrays.asList(Golden.read(dir.resolve("command")).strip().split(" ")),
        Integer.parseInt(Golden.read(dir.resolve("exit")).strip()),
        Golden.read(dir.resolve("stdout")),
        Golden.read(dir.resolve("stderr")),
        false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void readsAsExpected(Path dir) {
    Output out = output(dir);
    Map<String, List<String>> expected = Golden.expected(dir.resolve("expected"));

    assertThat(SlurmAnswer.of(out).name()).isEqualTo(expected.get("answer").get(0));
    if (expected.containsKey("message")) {
      assertThat(out.message()).isEqualTo(expected.get("message").get(0));
    }
    List<JobRecord> records = JobRecord.parseAll(out.stdout());
    if (expected.containsKey("records")) {
      assertThat(records).hasSize(Integer.parseInt(expected.get("records").get(0)));
    }
    if (!expected.containsKey("state")) {
      return;
    }
    assertThat(records).hasSize(1);
    JobRecord job = records.get(0);
    assertThat(job.jobState().name()).isEqualTo(expected.get("state").get(0));
    expected.forEach(
        (key, values) -> {
          String value = values.get(0);
          if (key.startsWith("field.")) {
            assertThat(job.field(key.substring(6))).as(key).contains(value);
          }
          switch (key) {
            case "exitStatus" -> assertThat(job.exitStatus()).isEqualTo(Integer.parseInt(value));
            case "signal" -> assertThat(job.terminatingSignal()).isEqualTo(Integer.parseInt(value));
            case "everRan" -> assertThat(job.everRan()).isEqualTo(Boolean.parseBoolean(value));
            case "ids" -> assertThat(job.drmaaIds()).containsExactly(value.split(","));
            default -> {}
          }
        });
    // Every key is one word of Slurm's grammar: no value swallowed the next field.
    assertThat(job.fields().keySet()).allMatch(k -> k.matches("[A-Z][A-Za-z0-9/:_]*"));
    assertThat(job.fields()).containsKeys("JobId", "JobState", "Reason", "ExitCode", "Partition");
  }
}
