package surge.volunteers.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Any text frame a volunteer sends decodes or is refused with a reason; {@link Codec#decode} never
 * throws, and what it accepts encodes again to a frame that decodes to the same type. Regression
 * mode replays the seeds in {@code CodecFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes.
 */
public class CodecFuzzTest {
  /** The entry point of Jazzer's command line ({@code bench/fuzz.sh}). */
  public static void fuzzerTestOneInput(byte[] input) {
    String frame = new String(input, StandardCharsets.UTF_8);
    Decoded decoded = Codec.decode(frame);
    assertThat(decoded).isNotNull();
    if (decoded instanceof Decoded.Ok ok) {
      Decoded again = Codec.decode(Codec.encode(ok.message()));
      assertThat(again).as("re-decoding %s", frame).isInstanceOf(Decoded.Ok.class);
      assertThat(((Decoded.Ok) again).message().getClass()).isEqualTo(ok.message().getClass());
    }
  }

  @FuzzTest(maxDuration = "5s")
  @DictionaryEntries({
    "\"type\"",
    "\"hello\"",
    "\"welcome\"",
    "\"request\"",
    "\"tasks\"",
    "\"heartbeat\"",
    "\"results\"",
    "\"release\"",
    "\"cancel\"",
    "\"error\"",
    "\"job\"",
    "\"index\"",
    "\"lease\"",
    "\"kernel\"",
    "\"stdin\"",
    "\"stdout\"",
    "\"env\"",
    "\"args\"",
    "\"token\"",
    "\"workers\"",
    "\"protocol\"",
    "\"count\"",
    "\"exit\"",
    "\"leases\""
  })
  void everyFrameDecodesOrIsRefused(byte[] input) {
    fuzzerTestOneInput(input);
  }
}
