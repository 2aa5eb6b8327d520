package surge.slurmcommon.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OffloadOptionsTest {

  @Test
  void readsTheOptionsTheRescuerNeedsInBothSpellings() {
    var o =
        OffloadOptions.read(
            String.join(
                "\n",
                "#!/bin/bash",
                "#SBATCH -p batch",
                "#OFFLOAD --kernel=mc/montecarlo.wasm --tasks 16 --arg=1000",
                "#OFFLOAD --rescue-after 30s --deadline='1h30m'  # urgent",
                "[ \"$SLURM_JOB_PARTITION\" = volunteer ] && exec surge offload \"$0\"",
                "#OFFLOAD --tasks=99",
                "./native"));
    assertThat(o.rescueAfter()).contains(Duration.ofSeconds(30));
    assertThat(o.deadline()).contains(Duration.ofMinutes(90));
    assertThat(o.kernel()).contains("mc/montecarlo.wasm");
    assertThat(o.tasks()).hasValue(16);
    assertThat(o.optedIn()).isTrue();
    assertThat(o.problems()).isEmpty();
  }

  @Test
  void aScriptWithoutRescueAfterDidNotOptIn() {
    var o =
        OffloadOptions.read("#!/bin/sh\n#OFFLOAD --kernel=k.wasm --tasks=2\nexec surge offload");
    assertThat(o.optedIn()).isFalse();
    assertThat(o.rescueAfter()).isEmpty();
  }

  @Test
  void onlyExactDirectivesAboveTheFirstCommandCount() {
    var o =
        OffloadOptions.read(
            "# OFFLOAD --rescue-after=1m\n##OFFLOAD --rescue-after=1m\n  #OFFLOAD --rescue-after=1m\n"
                + "echo hi\n#OFFLOAD --rescue-after=1m\n");
    assertThat(o.optedIn()).isFalse();
  }

  @Test
  void valuesFromTheEnvironmentOrUnreadableAreAbsentWithAProblem() {
    var o =
        OffloadOptions.read(
            "#OFFLOAD --kernel=$SCRATCH/k.wasm --tasks=${N} --rescue-after=soon --deadline=\"2 h\"");
    assertThat(o.kernel()).isEmpty();
    assertThat(o.tasks()).isEmpty();
    assertThat(o.rescueAfter()).isEmpty();
    assertThat(o.deadline()).isEmpty();
    assertThat(o.optedIn()).as("it asked for rescue, even unreadably").isTrue();
    assertThat(o.problems())
        .anyMatch(p -> p.startsWith("--rescue-after: 'soon' is not a duration"))
        .anyMatch(p -> p.startsWith("--kernel:"))
        .anyMatch(p -> p.startsWith("--tasks:"));
  }

  @Test
  void splitsWordsLikeAShell() {
    assertThat(
            ScriptWords.words(
                    " --arg=\"two words\" 'a b'\\ c --x=\\\"q # comment", Optional.empty())
                .stream()
                .map(ScriptWords.Word::text))
        .containsExactly("--arg=two words", "a b c", "--x=\"q");
  }

  @Test
  void aScriptTheLauncherRefusesGivesNoOptionsAndSaysWhy() {
    var o = OffloadOptions.read("#OFFLOAD --kernel=k.wasm --rescue-after=1m --arg='open\nrun");
    assertThat(o.kernel()).isEmpty();
    assertThat(o.rescueAfter()).isEmpty();
    assertThat(o.optedIn()).isTrue();
    assertThat(o.problems())
        .containsExactly(
            "--rescue-after: #OFFLOAD lines: job script:1: unterminated ' quote (the launcher"
                + " refuses them)");
  }
}
