package surge.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import surge.jobs.control.JobSpec;
import surge.volunteers.protocol.Codec;
import surge.volunteers.protocol.Decoded;

/**
 * JSON that Parsson refuses with something other than a JsonException is bad input all the same.
 * Deep nesting: Parsson stops at depth 1000 with a plain RuntimeException, which escaped {@link
 * Codec#decode} ("never throws") and made {@code POST /api/jobs} a 500 with 150 KB of stack trace;
 * it is refused before parsing now. A number like {@code 17E5000000000}: BigDecimal's
 * NumberFormatException (found by CodecFuzzTest).
 */
class HostileJsonTest {
  @Test
  void countsNestingOutsideStringsOnly() {
    assertThat(JsonDepth.exceeds("[[[]]]", 3)).isFalse();
    assertThat(JsonDepth.exceeds("[[[[]]]]", 3)).isTrue();
    assertThat(JsonDepth.exceeds("{\"a\":\"[[[[[[\"}", 1)).isFalse();
    assertThat(JsonDepth.exceeds("{\"a\\\"[[[[\":[]}", 2)).isFalse();
    assertThat(JsonDepth.exceeds("{\"a\\\\\":[[[]]]}", 3)).isTrue();
  }

  @Test
  void aDeeplyNestedFrameIsRefusedAsMalformedNotThrown() {
    Decoded decoded = Codec.decode("[".repeat(5000) + "]".repeat(5000));
    assertThat(decoded).isInstanceOf(Decoded.Refused.class);
    var refused = (Decoded.Refused) decoded;
    assertThat(refused.kind()).isEqualTo(Decoded.Kind.MALFORMED);
    assertThat(refused.reason()).contains("32 levels");
  }

  @Test
  void aDeeplyNestedJobIsABadRequestNamingTheLimit() {
    assertThatThrownBy(
            () -> JobSpec.parse("{\"a\":".repeat(2000) + "1" + "}".repeat(2000), 10, Instant.EPOCH))
        .isInstanceOfSatisfying(
            Problem.class,
            p -> {
              assertThat(p.status()).isEqualTo(400);
              assertThat(p.getMessage()).contains("32 levels");
            });
  }

  @Test
  void aNumberWithAnExponentOverflowIsMalformedNotThrown() {
    Decoded decoded = Codec.decode("{\"type\":\"request\",\"count\":17E5000000000}");
    assertThat(decoded).isInstanceOf(Decoded.Refused.class);
    assertThat(((Decoded.Refused) decoded).kind()).isEqualTo(Decoded.Kind.MALFORMED);
    assertThatThrownBy(() -> JobSpec.parse("{\"tasks\":1e9999999999}", 10, Instant.EPOCH))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(400));
  }

  @Test
  void ordinaryNestingStillParses() {
    String job = "{\"kernel\":\"" + "e".repeat(64) + "\",\"tasks\":2,\"merge\":{\"kind\":\"sum\"}}";
    assertThat(JobSpec.parse(job, 10, Instant.EPOCH).tasks()).isEqualTo(2);
  }
}
