package surge.consent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ConsentTokensTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  final Instant t0 = Instant.parse("2026-11-23T12:00:00Z");
  final ConsentTokens tokens =
      new ConsentTokens(KEY, Duration.ofHours(1), Clock.fixed(t0, ZoneOffset.UTC));

  @Test
  void aTokenRecordsTheConsentAndVerifies() throws Exception {
    var issued = tokens.issue("https://example.org", "demo", 3, 50);
    var c = tokens.verify(issued.token());
    assertThat(c.site()).isEqualTo("https://example.org");
    assertThat(c.project()).isEqualTo("demo");
    assertThat(c.revision()).isEqualTo(3);
    assertThat(c.cpu()).isEqualTo(50);
    assertThat(c.expiresAt()).isEqualTo(t0.plus(Duration.ofHours(1)));
  }

  @Test
  void aForgedTokenIsRefused() {
    String token = tokens.issue("a", "demo", 1, 50).token();
    String other =
        new ConsentTokens(
                "another key of thirty-two bytes!!".getBytes(),
                Duration.ofHours(1),
                Clock.systemUTC())
            .issue("a", "demo", 1, 100)
            .token();
    String spliced = other.substring(0, other.indexOf('.')) + token.substring(token.indexOf('.'));
    assertThatThrownBy(() -> tokens.verify(spliced)).hasMessageContaining("signature");
    assertThatThrownBy(() -> tokens.verify(other)).hasMessageContaining("signature");
  }

  @Test
  void anExpiredTokenIsRefused() {
    String token = tokens.issue("a", "demo", 1, 50).token();
    var later =
        new ConsentTokens(
            KEY, Duration.ofHours(1), Clock.fixed(t0.plus(Duration.ofHours(2)), ZoneOffset.UTC));
    assertThatThrownBy(() -> later.verify(token)).hasMessageContaining("expired");
  }

  @Test
  void garbageIsRefusedWithoutAnException() {
    for (String s : new String[] {"", "x", "a.b.c", "....", "%%%.%%%"}) {
      assertThatThrownBy(() -> tokens.verify(s)).isInstanceOf(ConsentTokens.Invalid.class);
    }
  }
}
