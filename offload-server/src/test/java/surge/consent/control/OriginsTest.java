package surge.consent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginsTest {
  final Origins origins = new Origins(List.of("https://site.example", "http://localhost:8000"));

  @Test
  void anAllowedOriginIsAllowedWhateverItsCaseOrDefaultPort() {
    assertThat(origins.allows("https://site.example")).isTrue();
    assertThat(origins.allows("HTTPS://Site.Example:443")).isTrue();
    assertThat(origins.allows("http://localhost:8000")).isTrue();
  }

  @Test
  void anyOtherOriginIsRefused() {
    assertThat(origins.allows("http://site.example")).as("another scheme").isFalse();
    assertThat(origins.allows("https://site.example:8443")).as("another port").isFalse();
    assertThat(origins.allows("https://evil.site.example")).isFalse();
    assertThat(origins.allows("https://site.example.evil")).isFalse();
    assertThat(origins.allows("null")).as("a sandboxed or file page").isFalse();
    assertThat(origins.allows("")).isFalse();
  }

  @Test
  void aRequestWithoutOriginIsAdmittedButAnOriginThatIsNotAllowedIsNot() {
    assertThat(origins.admits(null)).as("headless volunteer").isTrue();
    assertThat(origins.admits("https://evil.example")).isFalse();
    assertThat(origins.admits("https://site.example")).isTrue();
  }

  @Test
  void noneConfiguredAllowsNoPageAndStarAllowsEvery() {
    var none = new Origins(List.of());
    assertThat(none.none()).isTrue();
    assertThat(none.allows("https://site.example")).isFalse();
    assertThat(none.admits(null)).isTrue();
    var any = new Origins(List.of("*"));
    assertThat(any.allows("https://anything.example")).isTrue();
    assertThat(any.none()).isFalse();
  }

  @Test
  void aConfiguredValueThatIsNotAnOriginIsRejectedAtStart() {
    assertThatThrownBy(() -> new Origins(List.of("https://site.example/path")))
        .hasMessageContaining("SURGE_ALLOWED_ORIGINS");
    assertThatThrownBy(() -> new Origins(List.of("site.example")))
        .hasMessageContaining("site.example");
  }
}
