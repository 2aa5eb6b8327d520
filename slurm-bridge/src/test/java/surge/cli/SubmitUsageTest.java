package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistakes on the command line end with exit code 2 and a message naming the option. */
class SubmitUsageTest {
  private static final String SERVER = "--server=http://127.0.0.1:9";

  @TempDir Path dir;
  private String kernel;

  @BeforeEach
  void kernelFile() throws Exception {
    kernel = Files.write(dir.resolve("k.wasm"), new byte[] {0, 'a', 's', 'm'}).toString();
  }

  @Test
  void theKernelIsRequired() {
    CliRun run = CliRun.run("submit", SERVER, "--tasks", "4");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains("surge submit: Missing required option: '--kernel=FILE'")
        .contains("Try 'surge submit --help'");
  }

  @Test
  void aMissingKernelFileIsNamed() {
    Path missing = dir.resolve("nope.wasm");

    CliRun run = CliRun.run("submit", SERVER, "--kernel", missing.toString(), "--tasks", "4");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains("--kernel: cannot read kernel file '" + missing + "': no such file");
  }

  @Test
  void aDirectoryIsNotAnInputFile() {
    CliRun run =
        CliRun.run("submit", SERVER, "--kernel", kernel, "--tasks", "4", "--input", dir.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--input: cannot read input file '" + dir + "'");
  }

  @Test
  void tasksMustBePositive() {
    CliRun run = CliRun.run("submit", SERVER, "--kernel", kernel, "--tasks", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--tasks must be at least 1, got 0");
  }

  @Test
  void tasksMustBeANumber() {
    CliRun run = CliRun.run("submit", SERVER, "--kernel", kernel, "--tasks", "many");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("Invalid value for option '--tasks': 'many' is not an int");
  }

  @Test
  void splitNeedsAnInput() {
    CliRun run =
        CliRun.run("submit", SERVER, "--kernel", kernel, "--tasks", "4", "--split", "lines");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--split needs --input");
  }

  @Test
  void splitIsLinesOrBytes() throws Exception {
    String input = Files.writeString(dir.resolve("in.txt"), "x\n").toString();

    CliRun run =
        CliRun.run(
            "submit",
            SERVER,
            "--kernel",
            kernel,
            "--tasks",
            "4",
            "--input",
            input,
            "--split",
            "words");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--split").contains("words");
  }

  @Test
  void anUnknownMergeIsRefused() {
    CliRun run = CliRun.run("submit", SERVER, "--kernel", kernel, "--tasks", "4", "--merge", "max");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains("Invalid value for option '--merge'")
        .contains("expected concat, sum or reduce:FILE");
  }

  @Test
  void aReduceMergeNeedsAReadableReducer() {
    CliRun run =
        CliRun.run(
            "submit", SERVER, "--kernel", kernel, "--tasks", "4", "--merge", "reduce:missing.wasm");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains("--merge: cannot read reducer kernel file 'missing.wasm': no such file");
  }

  @Test
  void aBadDeadlineIsNamed() {
    CliRun run =
        CliRun.run("submit", SERVER, "--kernel", kernel, "--tasks", "4", "--deadline", "soon");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--deadline: expected a duration like 30m");
  }

  @Test
  void tasksCannotOverrideTheTaskIndex() {
    CliRun run =
        CliRun.run(
            "submit", SERVER, "--kernel", kernel, "--tasks", "4", "--env", "SURGE_TASK_INDEX=1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--env: SURGE_TASK_INDEX is set by Surge");
  }

  @Test
  void outputNeedsWait() {
    CliRun run =
        CliRun.run(
            "submit",
            SERVER,
            "--kernel",
            kernel,
            "--tasks",
            "4",
            "--output",
            dir.resolve("r").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--output needs --wait");
  }

  @Test
  void withoutServerOrEnvironmentBothAreNamed() throws Exception {
    // An empty config file, so that a machine's own /etc/surge/surge.conf cannot answer.
    Path config = Files.writeString(dir.resolve("surge.conf"), "");

    CliRun run =
        CliRun.run(
            Map.of("SURGE_CONFIG", config.toString()),
            "submit",
            "--kernel",
            kernel,
            "--tasks",
            "4");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--server URL").contains("SURGE_SERVER");
  }

  @Test
  void aServerThatIsNotAnHttpUrlIsRefused() {
    CliRun run =
        CliRun.run(
            Map.of("SURGE_SERVER", "localhost:8080"), "submit", "--kernel", kernel, "--tasks", "4");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains("SURGE_SERVER: expected an http:// or https:// URL, got 'localhost:8080'");
  }

  @Test
  void helpListsTheOptionsAndSucceeds() {
    CliRun run = CliRun.run("submit", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout())
        .contains("Usage: surge submit")
        .contains("--kernel=FILE")
        .contains("--merge=concat|sum|reduce:FILE")
        .contains("--server=URL")
        .contains("SURGE_SERVER");
  }

  @Test
  void aBadVerifyIsRefusedNamingWhatIsAccepted() {
    CliRun run =
        CliRun.run(
            "submit", SERVER, "--kernel", kernel, "--tasks", "4", "--verify", "replicate=17");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains(
            "Invalid value for option '--verify': expected adaptive, replicate=N (1..16) or none,"
                + " got 'replicate=17'");
  }

  @Test
  void aVerifyErrorGoesWithAdaptiveOnly() {
    CliRun run =
        CliRun.run(
            "submit",
            SERVER,
            "--kernel",
            kernel,
            "--tasks",
            "4",
            "--verify=none",
            "--verify-error=1e-4");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains(
            "--verify-error: only with --verify=adaptive (it is adaptive verification's target"
                + " error rate), not with --verify=none");
  }

  @Test
  void aMissingValidatorKernelIsNamed() {
    CliRun run =
        CliRun.run(
            "submit", SERVER, "--kernel", kernel, "--tasks", "4", "--compare=kernel:nope.wasm");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains("--compare: cannot read validator kernel file 'nope.wasm': no such file");
  }
}
