package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.object;
import static surge.it.Api.text;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-user quotas, the submission rate and the audit log on Payara Micro with small limits
 * (arquillian.xml, container {@code quotas}: 2 unfinished jobs, 5 submissions a minute, 1000 bytes
 * of inputs). No volunteer connects, so submitted jobs stay queued and count.
 */
@ExtendWith(ArquillianExtension.class)
class QuotasIT {
  /** The operator token the container is started with ({@code -Dsurge.admin.token}). */
  static final String OPERATOR = "surge_quotas-it-operator-0123456789abcdefghij";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Deployment(testable = false)
  @TargetsContainer("quotas")
  static WebArchive war() {
    return SurgeWar.forContainer("quotas");
  }

  @ArquillianResource URL base;
  private URI root;

  @BeforeEach
  void root() {
    root = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/");
  }

  @Test
  void theJobPastTheQuotaIsRefusedWith429ThenTheRatePastItsCountWithRetryAfter() {
    String alice = token("alice");
    String kernel = kernel(OPERATOR);
    String job = "{\"name\":\"it-quota\",\"kernel\":\"" + kernel + "\",\"tasks\":1}";

    // Submissions 1 and 2 fill alice's 2 places; 3 is refused by the jobs quota.
    String first = created(post(alice, "/api/jobs", job)).getString("id");
    String second = created(post(alice, "/api/jobs", job)).getString("id");
    var third = post(alice, "/api/jobs", job);
    assertThat(third.statusCode()).as(text(third)).isEqualTo(429);
    JsonObject refusal = object(third);
    assertThat(refusal.getString("quota")).isEqualTo("jobs");
    assertThat(refusal.getJsonNumber("used").longValue()).isEqualTo(2);
    assertThat(refusal.getJsonNumber("limit").longValue()).isEqualTo(2);
    assertThat(refusal.getString("error")).contains("alice", "SURGE_QUOTA_JOBS");
    assertThat(third.headers().firstValue("Retry-After")).isEmpty();

    // Another user has places of their own, and an operator is not counted at all.
    String bob = token("bob");
    created(post(bob, "/api/jobs", job));
    for (int i = 0; i < 3; i++) {
      created(post(OPERATOR, "/api/jobs", job));
    }

    // A cancel frees a place: submission 4 passes. Submission 5 too, after another cancel.
    assertThat(post(alice, "/api/jobs/" + first + "/cancel", "").statusCode()).isEqualTo(200);
    created(post(alice, "/api/jobs", job));
    assertThat(post(alice, "/api/jobs/" + second + "/cancel", "").statusCode()).isEqualTo(200);
    created(post(alice, "/api/jobs", job));

    // Submission 6 within the minute: over 5/min, refused before the quota is even looked at.
    var sixth = post(alice, "/api/jobs", job);
    assertThat(sixth.statusCode()).as(text(sixth)).isEqualTo(429);
    JsonObject rate = object(sixth);
    assertThat(rate.getString("quota")).isEqualTo("submits");
    assertThat(rate.getString("error")).contains("SURGE_RATE_SUBMITS", "5/1m");
    long retryAfter = Long.parseLong(sixth.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(rate.getJsonNumber("retryAfter").longValue()).isEqualTo(retryAfter);
  }

  @Test
  void anInputPastTheStoredBytesIsRefusedWith413AndTheSameBytesAgainAreFree() {
    String carol = token("carol");
    byte[] first = "a".repeat(600).getBytes(StandardCharsets.UTF_8);
    byte[] second = "b".repeat(600).getBytes(StandardCharsets.UTF_8);
    var stored = post(carol, "/api/inputs", "application/octet-stream", first);
    assertThat(stored.statusCode()).as(text(stored)).isEqualTo(201);

    var refused = post(carol, "/api/inputs", "application/octet-stream", second);
    assertThat(refused.statusCode()).as(text(refused)).isEqualTo(413);
    JsonObject o = object(refused);
    assertThat(o.getString("quota")).isEqualTo("inputBytes");
    assertThat(o.getString("field")).isEqualTo("input");
    assertThat(o.getJsonNumber("used").longValue()).isEqualTo(600);
    assertThat(o.getJsonNumber("limit").longValue()).isEqualTo(1000);
    assertThat(o.getString("error")).contains("SURGE_QUOTA_INPUT_BYTES");

    var again = post(carol, "/api/inputs", "application/octet-stream", first);
    assertThat(again.statusCode()).as("the same bytes again: %s", text(again)).isIn(200, 201);
  }

  @Test
  void theAuditExportListsTheSubmitAndTheCancelWithTheirUserAndOnlyForOperators() {
    String dave = token("dave");
    String kernel = kernel(OPERATOR);
    String id =
        created(
                post(
                    dave,
                    "/api/jobs",
                    "{\"name\":\"it-audit\",\"kernel\":\"" + kernel + "\",\"tasks\":3}"))
            .getString("id");
    assertThat(post(dave, "/api/jobs/" + id + "/cancel", "").statusCode()).isEqualTo(200);

    var forbidden = get(dave, "/api/admin/audit");
    assertThat(forbidden.statusCode()).as(text(forbidden)).isEqualTo(403);

    var export = get(OPERATOR, "/api/admin/audit?since=1h&limit=10000");
    assertThat(export.statusCode()).as(text(export)).isEqualTo(200);
    assertThat(export.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
    List<JsonObject> entries = new ArrayList<>();
    text(export)
        .lines()
        .forEach(l -> entries.add(Json.createReader(new StringReader(l)).readObject()));
    List<JsonObject> forJob =
        entries.stream().filter(e -> e.getString("target").equals(id)).toList();
    assertThat(forJob)
        .extracting(e -> e.getString("action"))
        .containsExactly("job.submit", "job.cancel");
    for (JsonObject e : forJob) {
      assertThat(e.getString("actor")).isEqualTo("dave");
      assertThat(e.getString("role")).isEqualTo("user");
      assertThat(e.getString("via")).isEqualTo("token");
      assertThat(e.getString("address")).isEqualTo("127.0.0.1");
      assertThat(e.getString("at")).isNotBlank();
    }
    assertThat(forJob.get(0).getString("detail")).contains("3 tasks");
    // The token that made dave is in the log too, as the operator's action.
    assertThat(entries)
        .anySatisfy(
            e -> {
              assertThat(e.getString("action")).isEqualTo("token.create");
              assertThat(e.getString("detail")).contains("dave");
            });

    // A refused credential is recorded too (without the secret), and the dashboard shows the log.
    var refused = get("surge_not-a-token-of-this-server-0123456789abcdef", "/api/jobs");
    assertThat(refused.statusCode()).isEqualTo(401);
    var summary = get(OPERATOR, "/admin/api/summary");
    assertThat(summary.statusCode()).as(text(summary)).isEqualTo(200);
    var shown = object(summary).getJsonArray("audit").getValuesAs(JsonObject.class);
    assertThat(shown).isNotEmpty().hasSizeLessThanOrEqualTo(20);
    assertThat(shown)
        .anySatisfy(
            e -> {
              assertThat(e.getString("action")).isEqualTo("login.failed");
              assertThat(e.getString("via")).isEqualTo("token");
              assertThat(e.getString("target")).isEqualTo("api");
            })
        .anySatisfy(e -> assertThat(e.getString("target")).isEqualTo(id));
    assertThat(summary.headers().firstValue("Content-Type")).isPresent();
    assertThat(text(summary)).doesNotContain("not-a-token-of-this-server");

    var bad = get(OPERATOR, "/api/admin/audit?since=yesterday");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(object(bad).getString("field")).isEqualTo("since");
    var badLimit = get(OPERATOR, "/api/admin/audit?limit=many");
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(object(badLimit).getString("field")).isEqualTo("limit");
    var two = get(OPERATOR, "/api/admin/audit?limit=2");
    assertThat(text(two).lines()).hasSize(2);
  }

  /** A user token made by the operator. */
  private String token(String user) {
    var response =
        post(OPERATOR, "/api/admin/tokens", "{\"user\":\"" + user + "\",\"role\":\"user\"}");
    assertThat(response.statusCode()).as("token for %s: %s", user, text(response)).isEqualTo(201);
    return object(response).getString("token");
  }

  private String kernel(String token) {
    var response = post(token, "/api/kernels", "application/wasm", TestKernels.wasm("noop"));
    assertThat(response.statusCode()).as("kernel: %s", text(response)).isIn(200, 201);
    return object(response).getString("sha256");
  }

  private static JsonObject created(HttpResponse<byte[]> response) {
    assertThat(response.statusCode()).as(text(response)).isEqualTo(201);
    return object(response);
  }

  private HttpResponse<byte[]> get(String token, String path) {
    return send(request(token, path).GET().build());
  }

  private HttpResponse<byte[]> post(String token, String path, String json) {
    return post(token, path, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<byte[]> post(String token, String path, String type, byte[] body) {
    return send(
        request(token, path)
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private HttpRequest.Builder request(String token, String path) {
    return HttpRequest.newBuilder(root.resolve(path.substring(1)))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token);
  }

  private static HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
