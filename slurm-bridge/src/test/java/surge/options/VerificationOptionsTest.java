package surge.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --verify}, {@code --verify-error} and {@code --compare}: what they accept and send. */
class VerificationOptionsTest {
  @Test
  void verifyModesAreSentAsWritten() {
    assertThat(VerifyOption.parse("adaptive").wire()).isEqualTo("adaptive");
    assertThat(VerifyOption.parse("none").wire()).isEqualTo("none");
    assertThat(VerifyOption.parse("replicate=1").wire()).isEqualTo("replicate=1");
    VerifyOption sixteen = VerifyOption.parse("replicate=16");
    assertThat(sixteen.mode()).isEqualTo(VerifyOption.Mode.REPLICATE);
    assertThat(sixteen.replicas()).isEqualTo(16);
    assertThat(sixteen.wire()).isEqualTo("replicate=16");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "replicate=0",
        "replicate=17",
        "replicate=",
        "replicate",
        "replicate=-1",
        "replicate=2x",
        "replicate=99999999999",
        "Adaptive",
        "credibility",
        ""
      })
  void aBadVerifyNamesWhatIsAccepted(String value) {
    assertThatThrownBy(() -> VerifyOption.parse(value))
        .hasMessage("expected adaptive, replicate=N (1..16) or none, got '" + value + "'");
  }

  @Test
  void aVerifyErrorIsANumberFromOneInATrillionToAHalf() {
    assertThat(VerifyErrorOption.parse("1e-4")).isEqualTo(1e-4);
    assertThat(VerifyErrorOption.parse("1e-12")).isEqualTo(1e-12);
    assertThat(VerifyErrorOption.parse("0.5")).isEqualTo(0.5);
    assertThat(VerifyErrorOption.parse("0.001")).isEqualTo(0.001);
    assertThat(VerifyErrorOption.parse(".25")).isEqualTo(0.25);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"0", "0.51", "1", "9e-13", "-1e-4", "1e-4d", "NaN", "Infinity", "0x1p-4", "abc"})
  void aBadVerifyErrorNamesTheRange(String value) {
    assertThatThrownBy(() -> VerifyErrorOption.parse(value))
        .hasMessage(
            "expected a number from 1e-12 to 0.5 (the error rate adaptive verification aims"
                + " below, e.g. 1e-4), got '"
                + value
                + "'");
  }

  @Test
  void compareBytesAndNumericAreSentAsWritten() {
    assertThat(CompareOption.parse("bytes").wire(Optional.empty())).isEqualTo("bytes");
    assertThat(CompareOption.parse("numeric:1e-9").wire(Optional.empty()))
        .isEqualTo("numeric:1e-9");
    assertThat(CompareOption.parse("numeric:0").wire(Optional.empty())).isEqualTo("numeric:0");
    assertThat(CompareOption.parse("numeric:1").tolerance()).contains("1");
  }

  @Test
  void aValidatorKernelIsSentByItsHash() {
    CompareOption kernel = CompareOption.parse("kernel:check/agree.wasm");

    assertThat(kernel.kind()).isEqualTo(CompareOption.Kind.KERNEL);
    assertThat(kernel.validator()).contains(Path.of("check/agree.wasm"));
    assertThat(kernel.resolveAgainst(Path.of("/jobs")).validator())
        .contains(Path.of("/jobs/check/agree.wasm"));
    assertThat(kernel.wire(Optional.of("ab12"))).isEqualTo("kernel:ab12");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "numeric:2",
        "numeric:1.0001",
        "numeric:-0.1",
        "numeric:",
        "numeric:NaN",
        "numeric",
        "kernel:",
        "kernel",
        "bytewise",
        "BYTES"
      })
  void aBadCompareNamesWhatIsAccepted(String value) {
    assertThatThrownBy(() -> CompareOption.parse(value))
        .hasMessage(
            "expected bytes, numeric:REL (a relative tolerance from 0 to 1, e.g. numeric:1e-9) or"
                + " kernel:FILE (a validator kernel), got '"
                + value
                + "'");
  }
}
