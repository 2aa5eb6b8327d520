package surge.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SumMergeTest {
  static String sum(String... outputs) {
    var s = new SumMerge();
    for (int i = 0; i < outputs.length; i++) {
      s.add(i, outputs[i].getBytes(StandardCharsets.UTF_8));
    }
    return new String(s.result(), StandardCharsets.UTF_8);
  }

  @Test
  void sumsElementWiseKeepingTheFirstLayout() {
    assertThat(sum("3 10\n", "4 10\n", "5 10\n")).isEqualTo("12 30\n");
    assertThat(sum("1\t2\n3\n", "1 1 1")).isEqualTo("2\t3\n4\n");
  }

  @Test
  void integersNeverOverflow() {
    assertThat(sum("9223372036854775807\n", "9223372036854775807\n"))
        .isEqualTo("18446744073709551614\n");
  }

  @Test
  void decimalsAreSummedExactly() {
    assertThat(sum("0.1 1\n", "0.2 2\n")).isEqualTo("0.3 3\n");
    assertThat(sum("1 1e2\n", "2 0.5\n")).isEqualTo("3 100.5\n");
  }

  @Test
  void mismatchedCountsNameTheTask() {
    assertThatThrownBy(() -> sum("1 2\n", "1 2\n", "1\n"))
        .hasMessage("sum merge: task 2 printed 1 numbers but task 0 printed 2");
  }

  @Test
  void aWordWhereANumberBelongsIsNamed() {
    assertThatThrownBy(() -> sum("1 2\n", "1 abc\n")).hasMessageContaining("task 1 printed 'abc'");
  }
}
