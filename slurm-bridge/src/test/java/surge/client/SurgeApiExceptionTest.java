package surge.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SurgeApiExceptionTest {
  @Test
  void readsTheDocumentedErrorObject() {
    SurgeApiException e =
        SurgeApiException.fromBody(
            400,
            "application/json",
            bytes(
                "{\"error\": \"tasks must be between 1 and 1000000, got 0\", \"field\": \"tasks\"}"));

    assertThat(e.getMessage()).isEqualTo("tasks must be between 1 and 1000000, got 0");
    assertThat(e.field()).contains("tasks");
    assertThat(e.describe()).endsWith("(field: tasks)");
  }

  @Test
  void fallsBackToTheFirstLineOfAPlainTextBody() {
    SurgeApiException e = SurgeApiException.fromBody(502, "text/plain", bytes("Bad gateway\nmore"));

    assertThat(e.getMessage()).isEqualTo("HTTP 502: Bad gateway");
    assertThat(e.field()).isEmpty();
    assertThat(e.isTransient()).isTrue();
    assertThat(e.isRefusal()).isFalse();
  }

  @Test
  void leavesOutHtmlErrorPages() {
    SurgeApiException e =
        SurgeApiException.fromBody(413, "text/html", bytes("<html><body>Too large</body></html>"));

    assertThat(e.getMessage()).isEqualTo("HTTP 413");
    assertThat(e.isRefusal()).isTrue();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
