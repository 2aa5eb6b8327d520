package surge.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import surge.jobs.entity.SplitMode;

class SplitTest {
  static List<String> chunks(String text, SplitMode mode, int n) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    int[] bounds = Split.bounds(b, mode, n);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new String(b, bounds[i], bounds[i + 1] - bounds[i], StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void linesAreKeptWholeAndSpreadEvenly() {
    assertThat(chunks("a\nb\nc\nd\ne\n", SplitMode.LINES, 2))
        .containsExactly("a\nb\n", "c\nd\ne\n");
    assertThat(chunks("a\nb\nc\nd\ne\n", SplitMode.LINES, 5))
        .containsExactly("a\n", "b\n", "c\n", "d\n", "e\n");
  }

  @Test
  void aLastLineWithoutNewlineIsALine() {
    assertThat(chunks("a\nb\nc", SplitMode.LINES, 3)).containsExactly("a\n", "b\n", "c");
  }

  @Test
  void moreTasksThanLinesGivesEmptyChunksAndLosesNothing() {
    List<String> c = chunks("x\ny\n", SplitMode.LINES, 5);
    assertThat(String.join("", c)).isEqualTo("x\ny\n");
    assertThat(c).filteredOn(String::isEmpty).hasSize(3);
  }

  @Test
  void bytesDifferByAtMostOne() {
    List<String> c = chunks("abcdefghij", SplitMode.BYTES, 3);
    assertThat(String.join("", c)).isEqualTo("abcdefghij");
    assertThat(c).extracting(String::length).allMatch(l -> l == 3 || l == 4);
  }

  @Test
  void lineChunkSizesDifferByAtMostOneLine() {
    var text = new StringBuilder();
    for (int i = 0; i < 103; i++) {
      text.append("line ").append(i).append('\n');
    }
    List<String> c = chunks(text.toString(), SplitMode.LINES, 10);
    assertThat(String.join("", c)).isEqualTo(text.toString());
    assertThat(c).extracting(s -> s.split("\n").length).allMatch(n -> n == 10 || n == 11);
  }

  @Test
  void anEmptyInputGivesEmptyChunks() {
    assertThat(chunks("", SplitMode.LINES, 3)).containsExactly("", "", "");
    assertThat(chunks("", SplitMode.BYTES, 2)).containsExactly("", "");
  }
}
