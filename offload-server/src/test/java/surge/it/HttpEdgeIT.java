package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.object;
import static surge.it.Api.text;

import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP edge on Payara Micro: bodies over their limit are refused before they are read (by
 * Content-Length, and while a chunked body streams), and every error, JAX-RS's and the container's
 * own, answers the JSON of docs/api.md.
 */
@ExtendWith(ArquillianExtension.class)
class HttpEdgeIT {
  private static final long MB = 1 << 20;

  @Deployment(testable = false)
  @TargetsContainer("edge")
  static WebArchive war() {
    return SurgeWar.forContainer("edge");
  }

  @ArquillianResource URL base;
  private Api api;

  @BeforeEach
  void client() {
    api = new Api(base);
  }

  @Test
  void a200MbKernelIsRefusedByItsLengthWithoutTheHeapGrowing() throws Exception {
    try (var heap = PayaraHeap.attach()) {
      heap.resetPeaks();
      long before = heap.oldGenerationUsed();
      // Today's endpoints read the whole body first: the answer came after 200 MB had arrived.
      var answer = RawHttp.post(base, "/api/kernels", "application/wasm", 200 * MB);
      assertThat(answer.status()).as(answer.toString()).isEqualTo(413);
      assertThat(answer.header("content-type")).startsWith("application/json");
      assertThat(answer.json().getString("error"))
          .contains("SURGE_MAX_KERNEL_BYTES")
          .contains("209715200");
      assertThat(answer.json().getString("field")).isEqualTo("kernel");
      assertThat(answer.bodyBytesSent())
          .as("bytes of the body sent before the answer came")
          .isLessThan(100 * MB);
      long grown = heap.oldGenerationPeak() - before;
      assertThat(grown).as("growth of the old generation's peak, bytes").isLessThan(32 * MB);
    }
  }

  @Test
  void aChunkedBodyOverItsLimitIsRefusedWhileItStreams() throws Exception {
    // No Content-Length: the JDK client sends an InputStream body chunked.
    byte[] json = ("{\"name\":\"" + "x".repeat((int) (2 * MB)) + "\"}").getBytes();
    var response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(api.base().resolve("api/jobs"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + Api.OPERATOR_TOKEN)
                    .POST(
                        HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream(json)))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertJsonError(response, 413);
    assertThat(object(response).getString("error")).contains("SURGE_MAX_JSON_BYTES");

    var kernel = RawHttp.postChunked(base, "/api/kernels", "application/wasm", 17 * MB);
    assertThat(kernel.status()).as(kernel.toString()).isEqualTo(413);
    assertThat(kernel.json().getString("error")).contains("SURGE_MAX_KERNEL_BYTES");
  }

  @Test
  void aJsonBodyOverItsLimitIsRefusedByItsLength() {
    byte[] json = ("{\"name\":\"" + "x".repeat((int) (2 * MB)) + "\"}").getBytes();
    var response = api.post("/api/jobs", "application/json", json);
    assertJsonError(response, 413);
    assertThat(object(response).getString("error"))
        .contains("SURGE_MAX_JSON_BYTES")
        .contains("1048576");
  }

  @Test
  void deeplyNestedJsonIsABadRequestNamingTheLimit() {
    var job = api.postJson("/api/jobs", "[".repeat(5000) + "]".repeat(5000));
    assertJsonError(job, 400);
    assertThat(object(job).getString("error")).contains("32 levels");
    var consent = api.postJson("/api/consent", "{\"a\":".repeat(3000) + "1" + "}".repeat(3000));
    assertJsonError(consent, 400);
  }

  @Test
  void aQueryParameterThatDoesNotConvertIsABadRequestNamingIt() {
    var response = api.get("/api/jobs?limit=abc");
    assertJsonError(response, 400);
    assertThat(object(response).getString("field")).isEqualTo("limit");
  }

  @Test
  void anUnsupportedContentTypeIs415InJson() {
    var response = api.post("/api/jobs", "text/plain", "{}".getBytes(StandardCharsets.UTF_8));
    assertJsonError(response, 415);
    assertThat(object(response).getString("error")).contains("text/plain");
  }

  @Test
  void jaxRsNotFoundAndNotAllowedAnswerJson() {
    assertJsonError(api.get("/api/no-such-thing"), 404);
    var notAllowed = api.send("DELETE", "/api/jobs");
    assertJsonError(notAllowed, 405);
    assertThat(notAllowed.headers().firstValue("Allow"))
        .hasValueSatisfying(a -> assertThat(a).contains("GET"));
  }

  @Test
  void theContainersOwnErrorsAnswerJson() {
    var unknown = api.get("/no/such/page");
    assertJsonError(unknown, 404);
    assertThat(object(unknown).getString("error")).contains("/no/such/page");
    assertJsonError(api.send("POST", "/health"), 405);
    assertJsonError(api.anonymous().get("/admin/"), 401);
  }

  private static void assertJsonError(HttpResponse<byte[]> response, int status) {
    assertThat(response.statusCode()).as(text(response)).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonObject body = object(response);
    assertThat(body.getString("error")).isNotBlank();
  }
}
