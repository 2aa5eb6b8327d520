package surge.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.JobSpec.MergeKind;
import surge.client.JobSpec.Split;
import surge.options.JobOptions;
import surge.slurmcommon.script.InvalidScript;

class OffloadScriptTest {
  private static final Instant NOW = Instant.parse("2026-11-23T17:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** The job's working directory, where the kernels are; the script lives elsewhere. */
  @TempDir Path submitDir;

  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void files() throws Exception {
    Files.write(submitDir.resolve("montecarlo.wasm"), new byte[] {0, 'a', 's', 'm'});
    Files.writeString(submitDir.resolve("in.txt"), "1\n2\n");
    env.put("SLURM_SUBMIT_DIR", submitDir.toString());
  }

  private OffloadJob parse(String script) throws InvalidScript {
    return OffloadScript.parse("job.sh", script, env, submitDir, CLOCK);
  }

  private JobOptions job(String script) throws InvalidScript {
    return parse(script).job();
  }

  private static String script(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  @Test
  void readsTheContractsExampleLine() throws Exception {
    JobOptions job =
        job(
            script(
                "#!/bin/bash",
                "#SBATCH --partition=volunteer",
                "#OFFLOAD --kernel=montecarlo.wasm --tasks=720 --arg=200000000 --merge=sum",
                "[ \"$SLURM_JOB_PARTITION\" = volunteer ] && exec surge offload \"$0\"",
                "./montecarlo-whole 720 200000000"));

    assertThat(job.kernel()).isEqualTo(submitDir.resolve("montecarlo.wasm"));
    assertThat(job.tasks()).isEqualTo(720);
    assertThat(job.args()).containsExactly("200000000");
    assertThat(job.merge().orElseThrow().kind()).isEqualTo(MergeKind.SUM);
    assertThat(job.output()).isEmpty();
  }

  @Test
  void optionsAddUpOverSeveralLinesWithCommentsAndBlankLinesBetween() throws Exception {
    JobOptions job =
        job(
            script(
                "#!/bin/bash",
                "",
                "#OFFLOAD --kernel montecarlo.wasm   # the kernel",
                "# a comment",
                "#OFFLOAD --tasks 4",
                "   ",
                "#OFFLOAD --arg=\"two words\" --arg '{index}' --env MODE=fast --name=pi",
                "#OFFLOAD --input=in.txt --split=BYTES --priority=3",
                "srun hostname"));

    assertThat(job.tasks()).isEqualTo(4);
    assertThat(job.args()).containsExactly("two words", "{index}");
    assertThat(job.env()).containsEntry("MODE", "fast");
    assertThat(job.name()).contains("pi");
    assertThat(job.input()).contains(submitDir.resolve("in.txt"));
    assertThat(job.split()).isEqualTo(Split.BYTES);
    assertThat(job.priority()).contains(3);
  }

  @Test
  void variablesExpandFromTheEnvironmentForJobArrays() throws Exception {
    Files.writeString(submitDir.resolve("chunk-7.txt"), "x\n");
    env.put("SLURM_ARRAY_TASK_ID", "7");

    JobOptions job =
        job(
            script(
                "#OFFLOAD --kernel=montecarlo.wasm --tasks=8",
                "#OFFLOAD --input=chunk-${SLURM_ARRAY_TASK_ID}.txt --arg=seed-$SLURM_ARRAY_TASK_ID",
                "#OFFLOAD --output=\"$SLURM_SUBMIT_DIR/pi $SLURM_ARRAY_TASK_ID.txt\""));

    assertThat(job.input()).contains(submitDir.resolve("chunk-7.txt"));
    assertThat(job.args()).containsExactly("seed-7");
    assertThat(job.output()).contains(submitDir.resolve("pi 7.txt"));
  }

  @Test
  void relativePathsResolveAgainstTheWorkingDirectoryNotTheScriptsDirectory(@TempDir Path spool)
      throws Exception {
    Path copy =
        Files.writeString(
            spool.resolve("slurm_script"),
            script(
                "#OFFLOAD --kernel=montecarlo.wasm --tasks=2 --merge=reduce:montecarlo.wasm",
                "#OFFLOAD --output=results/m.pgm"));
    Files.createDirectory(submitDir.resolve("results"));

    JobOptions job = OffloadScript.read(copy, env, submitDir, CLOCK).job();

    assertThat(job.kernel()).isEqualTo(submitDir.resolve("montecarlo.wasm"));
    assertThat(job.merge().orElseThrow().reducer()).contains(submitDir.resolve("montecarlo.wasm"));
    assertThat(job.output()).contains(submitDir.resolve("results/m.pgm"));
  }

  @Test
  void absolutePathsStayAsTheyAre(@TempDir Path elsewhere) throws Exception {
    Path kernel = Files.write(elsewhere.resolve("k.wasm"), new byte[] {1});

    JobOptions job = job(script("#OFFLOAD --kernel=" + kernel + " --tasks=1"));

    assertThat(job.kernel()).isEqualTo(kernel);
  }

  @Test
  void readingStopsAtTheFirstCommandAsSbatchDoes() throws Exception {
    OffloadJob parsed =
        parse(
            script(
                "#!/bin/bash",
                "#OFFLOAD --kernel=montecarlo.wasm --tasks=2",
                "echo starting",
                "#OFFLOAD --tasks=99"));

    assertThat(parsed.job().tasks()).isEqualTo(2);
    assertThat(parsed.warnings())
        .containsExactly(
            "job.sh:4: #OFFLOAD below the first command (line 3) is ignored; #OFFLOAD lines go"
                + " above it, like #SBATCH lines");
  }

  @Test
  void onlyLinesStartingExactlyWithTheDirectiveCount() throws Exception {
    JobOptions job =
        job(
            script(
                "#OFFLOAD --kernel=montecarlo.wasm --tasks=2",
                "# OFFLOAD --tasks=3",
                "##OFFLOAD --tasks=4",
                "  #OFFLOAD --tasks=5",
                "#OFFLOADED --tasks=6"));

    assertThat(job.tasks()).isEqualTo(2);
  }

  @Test
  void windowsLineEndsAreTolerated() throws Exception {
    JobOptions job = job("#OFFLOAD --kernel=montecarlo.wasm --tasks=3\r\necho hi\r\n");

    assertThat(job.tasks()).isEqualTo(3);
  }

  @Test
  void anAtSignIsAnArgumentNotAFileOfOptions() throws Exception {
    Files.writeString(submitDir.resolve("opts"), "--tasks=9\n");

    JobOptions job = job(script("#OFFLOAD --kernel=montecarlo.wasm --tasks=1 --arg @opts"));

    assertThat(job.tasks()).isEqualTo(1);
    assertThat(job.args()).containsExactly("@opts");
  }

  @Test
  void aDurationDeadlineCountsFromNowAndRescueAfterIsKept() throws Exception {
    OffloadJob parsed =
        parse(
            script(
                "#OFFLOAD --kernel=montecarlo.wasm --tasks=2",
                "#OFFLOAD --deadline=1h30m --rescue-after=10m"));

    assertThat(parsed.job().deadline()).contains(NOW.plus(Duration.ofMinutes(90)));
    assertThat(parsed.rescueAfter()).contains(Duration.ofMinutes(10));
  }

  @Test
  void withoutRescueAfterThereIsNone() throws Exception {
    assertThat(parse(script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2")).rescueAfter())
        .isEqualTo(Optional.empty());
  }

  @Test
  void aTaskTimeoutIsReadWithTheCliDurationGrammar() throws Exception {
    JobOptions job =
        job(script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --task-timeout=1h30m"));

    assertThat(job.taskTimeout()).contains(Duration.ofMinutes(90));
    assertThat(job(script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2")).taskTimeout()).isEmpty();
  }

  @Test
  void aTaskTimeoutThatIsNotADurationIsRefused() {
    assertThatThrownBy(
            () -> parse(script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2 --task-timeout=soon")))
        .isInstanceOf(InvalidScript.class)
        .hasMessageContaining("job.sh:1")
        .hasMessageContaining("--task-timeout")
        .hasMessageContaining("expected a duration like 30m");
  }

  // Errors: each names the script and the line.

  private void assertFails(String script, String message) {
    assertThatThrownBy(() -> parse(script)).isInstanceOf(InvalidScript.class).hasMessage(message);
  }

  @Test
  void anUnknownOptionIsNamedWithASuggestion() {
    assertFails(
        script(
            "#!/bin/bash",
            "#SBATCH -p volunteer",
            "#OFFLOAD --kernel=montecarlo.wasm",
            "#OFFLOAD --taks=720"),
        "job.sh:4: unknown option --taks (did you mean --task-timeout or --tasks?)");
  }

  @Test
  void anUnknownOptionFarFromAnyIsNamedAlone() {
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2 --wait"),
        "job.sh:1: unknown option --wait");
  }

  @Test
  void aWordThatIsNotAnOptionIsNamed() {
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2 200000"),
        "job.sh:1: unexpected '200000': #OFFLOAD lines hold options only (--arg=200000?)");
  }

  @Test
  void aMissingKernelNamesTheLinesThatLackIt() {
    assertFails(
        script("#!/bin/bash", "#OFFLOAD --tasks=720", "#OFFLOAD --merge=sum", "hostname"),
        "job.sh:2-3: the #OFFLOAD lines lack --kernel=FILE");
  }

  @Test
  void aKernelFileThatIsNotThereIsNamedWithWhereItWasLookedFor() {
    assertFails(
        script("#!/bin/bash", "#OFFLOAD --tasks=720", "#OFFLOAD --kernel=mc.wasm"),
        "job.sh:3: --kernel: cannot read kernel file '"
            + submitDir.resolve("mc.wasm")
            + "': no such file");
  }

  @Test
  void anUnreadableInputIsNamed() throws Exception {
    Files.createDirectory(submitDir.resolve("data"));

    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --input=data"),
        "job.sh:2: --input: cannot read input file '"
            + submitDir.resolve("data")
            + "': it is a directory");
  }

  @Test
  void aBadValueIsNamed() {
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm", "#OFFLOAD --tasks=many"),
        "job.sh:2: Invalid value for option '--tasks': 'many' is not an int");
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=0"),
        "job.sh:1: --tasks must be at least 1, got 0");
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2 --merge=max"),
        "job.sh:1: Invalid value for option '--merge': expected concat, sum or reduce:FILE (a"
            + " reducer kernel), got 'max'");
  }

  @Test
  void anOptionWithoutItsValueDoesNotTakeTheNextLines() {
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2 --arg", "#OFFLOAD 5"),
        "job.sh:1: Missing required parameter for option '--arg' (A)");
  }

  @Test
  void anOptionGivenTwiceNamesBothLines() {
    assertFails(
        script(
            "#OFFLOAD --kernel=montecarlo.wasm --tasks=2",
            "#OFFLOAD --merge=sum",
            "#OFFLOAD --tasks=4"),
        "job.sh:3: --tasks is given again (first on line 1); give it once");
  }

  @Test
  void badDeadlineAndRescueAfterAreNamed() {
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --deadline=soon"),
        "job.sh:2: --deadline: expected a duration like 30m, 2h, 1h30m, 45s or an ISO-8601"
            + " instant like 2026-11-23T18:00:00Z, got 'soon'");
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --rescue-after=0s"),
        "job.sh:2: Invalid value for option '--rescue-after': a duration must be positive, got"
            + " '0s'");
  }

  @Test
  void aReservedTaskVariableNamesItsLine() {
    assertFails(
        script(
            "#OFFLOAD --kernel=montecarlo.wasm --tasks=2 --env A=1",
            "#OFFLOAD --env SURGE_TASK_INDEX=3",
            "#OFFLOAD --env B=2"),
        "job.sh:2: --env: SURGE_TASK_INDEX is set by Surge for every task");
  }

  @Test
  void splitWithoutInputNamesTheSplitsLine() {
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --split=lines"),
        "job.sh:2: --split needs --input: there is nothing to split");
  }

  @Test
  void anUnsetVariableNamesItsLine() {
    assertFails(
        script(
            "#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --arg=$SLURM_ARRAY_TASK_ID"),
        "job.sh:2: environment variable SLURM_ARRAY_TASK_ID is not set (write"
            + " ${SLURM_ARRAY_TASK_ID:-VALUE} for a default)");
  }

  @Test
  void anUnterminatedQuoteNamesItsLine() {
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --arg=\"two words"),
        "job.sh:2: unterminated \" quote");
  }

  @Test
  void aScriptWithoutDirectivesSaysWhereTheyGo() {
    assertFails(
        script("#!/bin/bash", "#SBATCH -p volunteer", "srun hostname"),
        "job.sh: no #OFFLOAD lines; they go at the top, before the first command, like #SBATCH"
            + " lines");
  }

  @Test
  void directivesOnlyBelowTheFirstCommandAreNamed() {
    assertFails(
        script("#!/bin/bash", "cd /scratch", "#OFFLOAD --kernel=montecarlo.wasm --tasks=2"),
        "job.sh:3: #OFFLOAD below the first command (line 2) is ignored; #OFFLOAD lines go above"
            + " it, like #SBATCH lines");
  }

  @Test
  void aScriptThatCannotBeReadIsNamed() {
    Path missing = submitDir.resolve("gone.sh");

    assertThatThrownBy(() -> OffloadScript.read(missing, env, submitDir, CLOCK))
        .isInstanceOf(InvalidScript.class)
        .hasMessage(missing + ": cannot read the job script: no such file");
  }

  @Test
  void aScriptFileIsNamedAsGiven() throws Exception {
    Path file =
        Files.write(
            submitDir.resolve("job.sh"),
            "#OFFLOAD --kernel=montecarlo.wasm --taks=2\n".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> OffloadScript.read(file, env, submitDir, CLOCK))
        .hasMessageStartingWith(file + ":1: unknown option --taks");
  }

  @Test
  void verificationOptionsAreReadFromTheLines() throws Exception {
    Files.write(submitDir.resolve("agree.wasm"), new byte[] {0, 'a', 's', 'm', 1});
    JobOptions job =
        job(
            script(
                "#OFFLOAD --kernel=montecarlo.wasm --tasks=720 --merge=sum",
                "#OFFLOAD --verify=adaptive --verify-error=1e-6",
                "#OFFLOAD --compare=kernel:agree.wasm"));

    assertThat(job.verify().orElseThrow().wire()).isEqualTo("adaptive");
    assertThat(job.verifyError()).contains(1e-6);
    assertThat(job.compare().orElseThrow().validator()).contains(submitDir.resolve("agree.wasm"));
  }

  @Test
  void withoutVerificationOptionsTheServersDefaultsApply() throws Exception {
    JobOptions job = job(script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2"));

    assertThat(job.verify()).isEmpty();
    assertThat(job.verifyError()).isEmpty();
    assertThat(job.compare()).isEmpty();
  }

  @Test
  void badVerificationValuesNameTheirLine() {
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --verify=replicate=0"),
        "job.sh:2: Invalid value for option '--verify': expected adaptive, replicate=N (1..16) or"
            + " none, got 'replicate=0'");
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --verify-error=0.9"),
        "job.sh:2: Invalid value for option '--verify-error': expected a number from 1e-12 to 0.5"
            + " (the error rate adaptive verification aims below, e.g. 1e-4), got '0.9'");
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --compare=numeric:5"),
        "job.sh:2: Invalid value for option '--compare': expected bytes, numeric:REL (a relative"
            + " tolerance from 0 to 1, e.g. numeric:1e-9) or kernel:FILE (a validator kernel),"
            + " got 'numeric:5'");
  }

  @Test
  void aVerifyErrorWithoutAdaptiveVerificationNamesItsLine() {
    assertFails(
        script(
            "#OFFLOAD --kernel=montecarlo.wasm --tasks=2",
            "#OFFLOAD --verify-error=1e-3",
            "#OFFLOAD --verify=replicate=2"),
        "job.sh:2: --verify-error: only with --verify=adaptive (it is adaptive verification's"
            + " target error rate), not with --verify=replicate=2");
  }

  @Test
  void aMissingValidatorKernelIsNamed() {
    assertFails(
        script("#OFFLOAD --kernel=montecarlo.wasm --tasks=2", "#OFFLOAD --compare=kernel:v.wasm"),
        "job.sh:2: --compare: cannot read validator kernel file '"
            + submitDir.resolve("v.wasm")
            + "': no such file");
  }
}
