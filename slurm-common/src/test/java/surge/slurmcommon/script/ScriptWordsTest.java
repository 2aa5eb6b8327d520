package surge.slurmcommon.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ScriptWordsTest {
  private static final Map<String, String> ENV =
      Map.of("SLURM_ARRAY_TASK_ID", "7", "SCRATCH", "/scratch/u", "EMPTY", "", "TWO", "a b");

  private static java.util.List<String> split(String text) {
    return ScriptWords.split(text, ENV);
  }

  @Test
  void blanksSeparateWords() {
    assertThat(split("  --kernel=k.wasm\t--tasks 720  "))
        .containsExactly("--kernel=k.wasm", "--tasks", "720");
  }

  @Test
  void quotesKeepBlanksInOneWord() {
    assertThat(split("--arg=\"two words\" --arg='single $quoted' --arg=a\\ b"))
        .containsExactly("--arg=two words", "--arg=single $quoted", "--arg=a b");
  }

  @Test
  void anEmptyQuotedWordIsAWord() {
    assertThat(split("--arg \"\" --arg ''")).containsExactly("--arg", "", "--arg", "");
  }

  @Test
  void doubleQuotesEscapeOnlyWhatTheShellEscapes() {
    assertThat(split("\"a\\\"b\\\\c\\$d\\n\"")).containsExactly("a\"b\\c$d\\n");
  }

  @Test
  void variablesExpandBareBracedAndInDoubleQuotes() {
    assertThat(
            split(
                "--input=$SCRATCH/part-${SLURM_ARRAY_TASK_ID}.txt"
                    + " \"--arg=task $SLURM_ARRAY_TASK_ID\" '--arg=$SCRATCH'"))
        .containsExactly("--input=/scratch/u/part-7.txt", "--arg=task 7", "--arg=$SCRATCH");
  }

  @Test
  void aValueIsNeverSplitIntoWords() {
    assertThat(split("--arg=$TWO")).containsExactly("--arg=a b");
  }

  @Test
  void aDefaultAppliesWhenTheVariableIsUnsetOrEmpty() {
    assertThat(split("${NOT_SET:-0} ${EMPTY:-x} ${SLURM_ARRAY_TASK_ID:-0}"))
        .containsExactly("0", "x", "7");
  }

  @Test
  void aDollarWithoutANameStaysADollar() {
    assertThat(split("--arg=5$ --arg=$/x --arg={index}"))
        .containsExactly("--arg=5$", "--arg=$/x", "--arg={index}");
  }

  @Test
  void aHashStartingAWordStartsAComment() {
    assertThat(split("--tasks=720  # one per degree --merge=sum")).containsExactly("--tasks=720");
    assertThat(split("--arg=a#b")).containsExactly("--arg=a#b");
  }

  @Test
  void anUnsetVariableIsAnErrorWithAHint() {
    assertThatThrownBy(() -> ScriptWords.split("--arg=$SLURM_ARRAY_TASK_ID", Map.of()))
        .hasMessage(
            "environment variable SLURM_ARRAY_TASK_ID is not set"
                + " (write ${SLURM_ARRAY_TASK_ID:-VALUE} for a default)");
    assertThatThrownBy(() -> split("--arg=${index}"))
        .hasMessageContaining("written {index} and {count}, without $");
  }

  @Test
  void unterminatedQuotesAndBracesAreErrors() {
    assertThatThrownBy(() -> split("--arg=\"open")).hasMessage("unterminated \" quote");
    assertThatThrownBy(() -> split("--arg='open")).hasMessage("unterminated ' quote");
    assertThatThrownBy(() -> split("--arg=${OPEN")).hasMessage("unterminated ${");
    assertThatThrownBy(() -> split("--arg=x \\")).hasMessageContaining("do not continue");
  }

  @Test
  void nothingIsRun() {
    assertThatThrownBy(() -> split("--tasks=$(nproc)")).hasMessageContaining("run no commands");
    assertThatThrownBy(() -> split("--tasks=`nproc`")).hasMessageContaining("run no commands");
    assertThatThrownBy(() -> split("--arg=$1")).hasMessageContaining("only environment variables");
    assertThatThrownBy(() -> split("--arg=${X:=1}")).hasMessageContaining("expected ${NAME}");
  }
}
