package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.array;
import static surge.it.Api.object;
import static surge.it.Api.text;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The REST API of docs/api.md against the built WAR on Payara Micro. */
@ExtendWith(ArquillianExtension.class)
class RestApiIT {
  private static final String UNKNOWN_SHA = "e".repeat(64);

  @Deployment(testable = false)
  @TargetsContainer("rest")
  static WebArchive war() {
    return SurgeWar.forContainer("rest");
  }

  @ArquillianResource URL base;
  private Api api;

  @BeforeEach
  void client() {
    api = new Api(base);
  }

  @AfterEach
  void noJobLeftWaiting() {
    api.cancelUnfinishedJobs();
  }

  private String noopJob(int tasks) {
    String kernel = api.kernel(TestKernels.wasm("noop"));
    return "{\"name\":\"it-noop\",\"kernel\":\"" + kernel + "\",\"tasks\":" + tasks + "}";
  }

  @Test
  void kernelUploadAnswers201ThenTheSameAddressWith200() throws Exception {
    byte[] wasm = TestKernels.unique(TestKernels.wasm("montecarlo"));
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(wasm));

    var first = api.post("/api/kernels", "application/wasm", wasm);
    assertThat(first.statusCode()).as(text(first)).isEqualTo(201);
    assertThat(first.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/api/kernels/" + sha));
    JsonObject body = object(first);
    assertThat(body.getString("sha256")).isEqualTo(sha);
    assertThat(body.getJsonNumber("size").longValue()).isEqualTo(wasm.length);
    var imports =
        body.getJsonArray("imports").getValuesAs(JsonString.class).stream()
            .map(JsonString::getString)
            .toList();
    assertThat(imports)
        .contains("wasi_snapshot_preview1.fd_write")
        .allSatisfy(i -> assertThat(i).startsWith("wasi_snapshot_preview1."));

    var again = api.post("/api/kernels", "application/octet-stream", wasm);
    assertThat(again.statusCode()).as(text(again)).isEqualTo(200);
    assertThat(object(again)).isEqualTo(body);
  }

  @Test
  void invalidKernelsAreRefusedWithTheReason() {
    byte[] notWasm = "#!/bin/sh\necho hello\n".getBytes(StandardCharsets.US_ASCII);
    byte[] importsEnv =
        TestKernels.wat(
            "(module (import \"env\" \"emscripten_memcpy_big\" (func))"
                + " (memory (export \"memory\") 1) (func (export \"_start\")))");
    byte[] noStart =
        TestKernels.wat("(module (memory (export \"memory\") 1) (func (export \"main\")))");

    var soft = new SoftAssertions();
    for (var c :
        new Object[][] {
          {notWasm, "not a WebAssembly module"},
          {importsEnv, "env.emscripten_memcpy_big"},
          {noStart, "_start"},
        }) {
      var response = api.post("/api/kernels", "application/wasm", (byte[]) c[0]);
      soft.assertThat(response.statusCode()).as("%s: %s", c[1], text(response)).isEqualTo(400);
      JsonObject error = object(response);
      soft.assertThat(error.getString("field", null)).as(c[1].toString()).isEqualTo("kernel");
      soft.assertThat(error.getString("error", "")).contains((String) c[1]);
    }
    soft.assertAll();
  }

  @Test
  void kernelFetchIsImmutableAndRevalidatesWith304() {
    byte[] wasm = TestKernels.wasm("noop");
    String sha = api.kernel(wasm);

    var fetched = api.get("/api/kernels/" + sha);
    assertThat(fetched.statusCode()).isEqualTo(200);
    assertThat(fetched.body()).isEqualTo(wasm);
    assertThat(fetched.headers().firstValue("Content-Type")).hasValue("application/wasm");
    assertThat(fetched.headers().firstValue("Cache-Control"))
        .hasValueSatisfying(c -> assertThat(c).contains("immutable").contains("max-age=31536000"));
    String etag = fetched.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).isEqualTo("\"" + sha + "\"");

    var revalidated = api.get("/api/kernels/" + sha, "If-None-Match", etag);
    assertThat(revalidated.statusCode()).isEqualTo(304);
    assertThat(revalidated.body()).isEmpty();

    assertThat(api.get("/api/kernels/" + UNKNOWN_SHA).statusCode()).isEqualTo(404);
    assertThat(api.get("/api/kernels/not-a-hash").statusCode()).isEqualTo(404);
  }

  @Test
  void inputUploadAnswersItsAddress() throws Exception {
    byte[] input =
        ("line one\nline two " + UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));

    var first = api.post("/api/inputs", "application/octet-stream", input);
    assertThat(first.statusCode()).as(text(first)).isEqualTo(201);
    assertThat(object(first).getString("sha256")).isEqualTo(sha);
    assertThat(object(first).getInt("size")).isEqualTo(input.length);
    assertThat(api.post("/api/inputs", "application/octet-stream", input).statusCode())
        .isEqualTo(200);
  }

  @Test
  void submittedJobAnswers201WithLocationAndItsStatus() {
    var response = api.postJson("/api/jobs", noopJob(3));
    assertThat(response.statusCode()).as(text(response)).isEqualTo(201);
    JsonObject job = object(response);
    String id = job.getString("id");
    assertThat(id).matches("j-\\d{6}-[a-z2-9]{16}");
    assertThat(response.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/api/jobs/" + id));
    // No volunteer is connected: the job waits in the queue.
    assertThat(job.getString("state")).isEqualTo("QUEUED");
    assertThat(job.getString("name")).isEqualTo("it-noop");
    assertThat(job.getJsonObject("tasks").getInt("total")).isEqualTo(3);
    assertThat(job.getJsonObject("tasks").getInt("queued")).isEqualTo(3);
    assertThat(job.get("error")).isEqualTo(JsonValue.NULL);

    JsonObject status = api.status(id);
    assertThat(status.getString("id")).isEqualTo(id);
    assertThat(status.getString("state")).isEqualTo("QUEUED");
    assertThat(Instant.parse(status.getString("createdAt"))).isBefore(Instant.now().plusSeconds(5));
  }

  @Test
  void malformedJobSpecsAreRefusedNamingTheField() {
    String k = api.kernel(TestKernels.wasm("noop"));
    String kernel = "\"kernel\":\"" + k + "\"";
    int jobsBefore = array(api.get("/api/jobs?limit=1000")).size();

    var soft = new SoftAssertions();
    for (String[] c :
        new String[][] {
          {"{" + kernel + ",\"tasks\":0}", "tasks", "between 1 and"},
          {"{" + kernel + ",\"tasks\":1,\"colour\":\"red\"}", "colour", "unknown field"},
          {"{" + kernel + ",\"tasks\":1,\"merge\":{\"kind\":\"median\"}}", "merge.kind", "median"},
          {"{\"kernel\":\"" + UNKNOWN_SHA + "\",\"tasks\":1}", "kernel", "no kernel"},
          {
            "{" + kernel + ",\"tasks\":1,\"merge\":{\"kind\":\"reduce\"}}",
            "merge.kernel",
            "required"
          },
          {
            "{" + kernel + ",\"tasks\":1,\"deadline\":\"2001-01-01T00:00:00Z\"}", "deadline", "past"
          },
          {
            "{" + kernel + ",\"tasks\":1,\"env\":{\"SURGE_TASK_INDEX\":\"7\"}}",
            "env.SURGE_TASK_INDEX",
            "set by Surge"
          },
          {
            "{"
                + kernel
                + ",\"tasks\":1,\"input\":{\"sha256\":\""
                + UNKNOWN_SHA
                + "\",\"split\":\"lines\"}}",
            "input.sha256",
            "no input"
          },
        }) {
      var response = api.postJson("/api/jobs", c[0]);
      soft.assertThat(response.statusCode()).as("%s -> %s", c[0], text(response)).isEqualTo(400);
      JsonObject error = object(response);
      soft.assertThat(error.getString("field", null)).as(c[0]).isEqualTo(c[1]);
      soft.assertThat(error.getString("error", "")).as(c[0]).contains(c[2]);
    }
    // Bad JSON: no single field is to blame, so the error names none (docs/api.md).
    var badJson = api.postJson("/api/jobs", "{" + kernel + ",\"tasks\":");
    soft.assertThat(badJson.statusCode()).as(text(badJson)).isEqualTo(400);
    soft.assertThat(object(badJson).getString("error", "")).contains("not valid JSON");
    soft.assertAll();

    assertThat(array(api.get("/api/jobs?limit=1000"))).as("no job was created").hasSize(jobsBefore);
  }

  @Test
  void unknownJobIs404() {
    assertThat(api.get("/api/jobs/j-999999").statusCode()).isEqualTo(404);
    assertThat(api.get("/api/jobs/j-999999/result").statusCode()).isEqualTo(404);
    assertThat(api.get("/api/jobs/nonsense").statusCode()).isEqualTo(404);
    var cancel = api.post("/api/jobs/j-999999/cancel", "application/json", new byte[0]);
    assertThat(cancel.statusCode()).isEqualTo(404);
    assertThat(object(cancel).getString("error")).contains("j-999999");
  }

  @Test
  void resultOfAnUnfinishedJobIs409() {
    String id = api.submit(noopJob(2)).getString("id");
    var result = api.get("/api/jobs/" + id + "/result");
    assertThat(result.statusCode()).isEqualTo(409);
    assertThat(object(result).getString("error")).contains("QUEUED");
  }

  @Test
  void aCancelledQueuedJobStaysCancelled() {
    String spec = noopJob(5);
    // A read straight after the cancel once raced the journal's write and found the job QUEUED
    // again, a few times in a hundred: try often enough to catch that.
    String id = null;
    for (int i = 0; i < 40; i++) {
      id = api.submit(spec).getString("id");
      var cancel = api.post("/api/jobs/" + id + "/cancel", "application/json", new byte[0]);
      assertThat(cancel.statusCode()).as(text(cancel)).isEqualTo(200);
      assertThat(object(cancel).getString("state")).isEqualTo("CANCELLED");
      JsonObject status = api.status(id);
      assertThat(status.getString("state"))
          .as("read after cancel %d: %s", i, status)
          .isEqualTo("CANCELLED");
      assertThat(status.getJsonObject("tasks").getInt("queued")).isZero();
    }
    for (int i = 0; i < 10; i++) {
      Api.sleep(100);
      assertThat(api.status(id).getString("state")).isEqualTo("CANCELLED");
    }
    var again = api.post("/api/jobs/" + id + "/cancel", "application/json", new byte[0]);
    assertThat(object(again).getString("state")).isEqualTo("CANCELLED");
    assertThat(api.get("/api/jobs/" + id + "/result").statusCode()).isEqualTo(409);
    String last = id;
    var cancelled = array(api.get("/api/jobs?state=CANCELLED&limit=1000"));
    assertThat(cancelled.getValuesAs(JsonObject.class))
        .anySatisfy(j -> assertThat(j.getString("id")).isEqualTo(last));
  }

  @Test
  void aJobNotFinishedByItsDeadlineFails() {
    // Whole seconds: the server keeps the instant as the database stores it (microseconds).
    String deadline = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS).toString();
    String spec = noopJob(2).replace("}", ",\"deadline\":\"" + deadline + "\"}");
    String id = api.submit(spec).getString("id");

    JsonObject failed = api.awaitState(id, "FAILED", Duration.ofSeconds(15));
    assertThat(failed.getJsonObject("error").getString("message")).contains("deadline passed");
    assertThat(failed.getString("deadline")).isEqualTo(deadline);
  }

  @Test
  void jobListShowsRecentJobsNewestFirst() {
    String older = api.submit(noopJob(1)).getString("id");
    String newer = api.submit(noopJob(1)).getString("id");

    var all = array(api.get("/api/jobs")).getValuesAs(JsonObject.class);
    assertThat(all).extracting(j -> j.getString("id")).startsWith(newer, older);

    var limited = array(api.get("/api/jobs?state=QUEUED&limit=1")).getValuesAs(JsonObject.class);
    assertThat(limited).extracting(j -> j.getString("id")).containsExactly(newer);

    var bad = api.get("/api/jobs?state=SLEEPING");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(object(bad).getString("field")).isEqualTo("state");
  }

  @Test
  void healthIsUpWithEveryCheck() {
    var health = api.get("/health");
    assertThat(health.statusCode()).as(text(health)).isEqualTo(200);
    JsonObject body = object(health);
    assertThat(body.getString("status")).isEqualTo("UP");
    JsonObject checks = body.getJsonObject("checks");
    assertThat(checks.keySet()).containsExactlyInAnyOrder("database", "journal", "dispatcher");
    checks.forEach((name, v) -> assertThat(((JsonString) v).getString()).as(name).isEqualTo("UP"));
  }

  @Test
  void metricsArePrometheusText() {
    var metrics = api.get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(text(metrics))
        .contains("# TYPE surge_tasks gauge")
        .contains("surge_tasks{state=\"queued\"}")
        .contains("# TYPE surge_volunteers_connected gauge")
        .contains("# TYPE surge_dispatch_latency_seconds histogram")
        .contains("surge_dispatch_latency_seconds_bucket{le=\"+Inf\"}");
    assertThat(api.metric("surge_volunteers_connected")).isZero();
  }

  @Test
  void openApiDescribesTheJobsEndpoint() {
    var openapi = api.get("/openapi");
    assertThat(openapi.statusCode()).isEqualTo(200);
    assertThat(text(openapi)).contains("openapi:").contains("/api/jobs").contains("/api/kernels");
  }

  @Test
  void consentAnswersASignedTokenAndRefusesABadBodyNamingTheField() {
    var consent =
        api.postJson(
            "/api/consent",
            "{\"site\":\"https://it.example\",\"revision\":1,\"cpu\":50}",
            "Origin",
            "https://it.example");
    assertThat(consent.statusCode()).as(text(consent)).isEqualTo(200);
    JsonObject body = object(consent);
    assertThat(body.getString("token")).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    assertThat(Instant.parse(body.getString("expiresAt"))).isAfter(Instant.now());

    var soft = new SoftAssertions();
    for (String[] c :
        new String[][] {
          {"{\"revision\":1,\"cpu\":50}", "site"},
          {"{\"site\":\"https://it.example\",\"revision\":-1,\"cpu\":50}", "revision"},
          {"{\"site\":\"https://it.example\",\"revision\":1,\"cpu\":0}", "cpu"},
          {"{\"site\":\"https://it.example\",\"revision\":1,\"cpu\":\"lots\"}", "cpu"},
        }) {
      var response = api.postJson("/api/consent", c[0], "Origin", "https://it.example");
      soft.assertThat(response.statusCode()).as("%s -> %s", c[0], text(response)).isEqualTo(400);
      soft.assertThat(object(response).getString("field", null)).as(c[0]).isEqualTo(c[1]);
    }
    var notJson = api.postJson("/api/consent", "yes please", "Origin", "https://it.example");
    soft.assertThat(notJson.statusCode()).isEqualTo(400);
    soft.assertThat(object(notJson).getString("error", "")).contains("JSON object");
    soft.assertAll();
  }

  // Consent, the browser pieces and the dashboard. arquillian.xml sets SURGE_ALLOWED_ORIGINS to
  // https://it.example and SURGE_ADMIN_PASSWORD to ADMIN_PASSWORD for this server.

  private static final String SITE = "https://it.example";
  private static final String ADMIN_PASSWORD = "it-admin-password";

  private static String consentBody(String site) {
    return "{\"site\":\"" + site + "\",\"project\":\"demo\",\"revision\":1,\"cpu\":50}";
  }

  @Test
  void theProjectEndpointDescribesTheDemoProjectAndItsDetailsPage() {
    var project = api.get("/api/projects/demo", "Origin", SITE);
    assertThat(project.statusCode()).as(text(project)).isEqualTo(200);
    assertThat(project.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SITE);
    JsonObject p = object(project);
    assertThat(p.getString("id")).isEqualTo("demo");
    assertThat(p.getInt("revision")).isEqualTo(1);
    assertThat(p.getJsonArray("cpuLevels").toString()).isEqualTo("[25,50,75]");
    assertThat(p.getString("centre")).isNotBlank();
    assertThat(p.getString("purpose")).isNotBlank();
    String details = p.getString("detailsUrl");
    assertThat(details).startsWith("http").endsWith("/surge/project/demo");

    var page = api.get(details);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(text(page)).contains(p.getString("name")).contains("No personal data");

    assertThat(api.get("/api/projects/nope").statusCode()).isEqualTo(404);
    assertThat(api.get("/surge/project/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void onlyAPageOfAnAllowedOriginGetsConsentAndCorsHeaders() {
    var preflight = api.preflight("/api/consent", SITE);
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SITE);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods"))
        .hasValueSatisfying(m -> assertThat(m).contains("POST"));
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
        .hasValueSatisfying(h -> assertThat(h.toLowerCase()).contains("content-type"));

    var evilPreflight = api.preflight("/api/consent", "https://evil.example");
    assertThat(evilPreflight.statusCode()).isEqualTo(403);
    assertThat(evilPreflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    var allowed = api.postJson("/api/consent", consentBody(SITE), "Origin", SITE);
    assertThat(allowed.statusCode()).as(text(allowed)).isEqualTo(200);
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SITE);
    assertThat(object(allowed).getString("token")).contains(".");

    var evil =
        api.postJson(
            "/api/consent", consentBody("https://evil.example"), "Origin", "https://evil.example");
    assertThat(evil.statusCode()).as(text(evil)).isEqualTo(403);
    assertThat(evil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(object(evil).getString("error")).contains("SURGE_ALLOWED_ORIGINS");

    var otherSite =
        api.postJson("/api/consent", consentBody("https://other.example"), "Origin", SITE);
    assertThat(otherSite.statusCode()).as(text(otherSite)).isEqualTo(403);
    assertThat(object(otherSite).getString("field")).isEqualTo("site");

    var soft = new SoftAssertions();
    for (String[] c :
        new String[][] {
          {"{\"site\":\"" + SITE + "\",\"project\":\"nope\",\"revision\":1,\"cpu\":50}", "project"},
          {
            "{\"site\":\"" + SITE + "\",\"project\":\"demo\",\"revision\":2,\"cpu\":50}", "revision"
          },
        }) {
      var response = api.postJson("/api/consent", c[0], "Origin", SITE);
      soft.assertThat(response.statusCode()).as("%s -> %s", c[0], text(response)).isEqualTo(400);
      soft.assertThat(object(response).getString("field", null)).as(c[0]).isEqualTo(c[1]);
    }
    soft.assertAll();
  }

  @Test
  void declinesAndRevocationsAreInTheAdminsExportAndTheExportNeedsTheAdmin() {
    var noLogin = api.anonymous().get("/api/consent/export");
    assertThat(noLogin.statusCode()).isEqualTo(401);
    assertThat(noLogin.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
    assertThat(api.get("/api/consent/export", Api.admin("not-the-password")).statusCode())
        .isEqualTo(401);

    String site = "https://it.example";
    var decline =
        api.postJson(
            "/api/consent/decline",
            "{\"site\":\"" + site + "\",\"project\":\"demo\",\"revision\":1}",
            "Origin",
            site);
    assertThat(decline.statusCode()).as(text(decline)).isEqualTo(204);
    var token = object(api.postJson("/api/consent", consentBody(site), "Origin", site));
    String id = consentId(token.getString("token"));
    var revoke =
        api.postJson("/api/consent/revoke", "{\"token\":\"" + token.getString("token") + "\"}");
    assertThat(revoke.statusCode()).as(text(revoke)).isEqualTo(204);
    assertThat(api.postJson("/api/consent/revoke", "{\"token\":\"forged.token\"}").statusCode())
        .isEqualTo(400);

    var export = api.get("/api/consent/export", Api.admin(ADMIN_PASSWORD));
    assertThat(export.statusCode()).as(text(export)).isEqualTo(200);
    assertThat(export.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
    var lines =
        text(export).lines().map(l -> Json.createReader(new StringReader(l)).readObject()).toList();
    assertThat(lines)
        .anySatisfy(
            l -> {
              assertThat(l.getString("kind")).isEqualTo("consent");
              assertThat(l.getString("id")).isEqualTo(id);
              assertThat(l.getString("site")).isEqualTo(site);
              assertThat(l.getInt("cpu")).isEqualTo(50);
              assertThat(Instant.parse(l.getString("revokedAt")))
                  .isBefore(Instant.now().plusSeconds(5));
            })
        .anySatisfy(
            l -> {
              assertThat(l.getString("kind")).isEqualTo("declines");
              assertThat(l.getString("site")).isEqualTo(site);
              assertThat(l.getJsonNumber("count").longValue()).isPositive();
            })
        .allSatisfy(l -> assertThat(l.toString()).doesNotContain("127.0.0.1"));
  }

  private static String consentId(String token) {
    String payload =
        new String(
            Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
            StandardCharsets.UTF_8);
    return Json.createReader(new StringReader(payload)).readObject().getString("jti");
  }

  @Test
  void theDashboardNeedsTheAdminsLoginThenShowsJobsVolunteersAndConsents() {
    var noLogin = api.anonymous().get("/admin/");
    assertThat(noLogin.statusCode()).isEqualTo(401);
    assertThat(noLogin.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(h -> assertThat(h).startsWith("Basic"));
    assertThat(text(noLogin)).doesNotContain("admin.js");
    assertThat(api.anonymous().get("/admin/api/summary").statusCode()).isEqualTo(401);

    var page = api.get("/admin/", Api.admin(ADMIN_PASSWORD));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(text(page)).contains("admin.js").doesNotContain("<script>").doesNotContain("style=");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(
            csp ->
                assertThat(csp)
                    .contains("script-src 'self'")
                    .contains("style-src 'self'")
                    .doesNotContain("unsafe-inline"));
    var script = api.get("/admin/admin.js", Api.admin(ADMIN_PASSWORD));
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
    var chart = api.get("/webjars/uplot/1.6.30/dist/uPlot.esm.js");
    assertThat(chart.statusCode()).isEqualTo(200);
    assertThat(text(script)).contains("../webjars/uplot/1.6.30/dist/uPlot.esm.js");

    String kernel = api.kernel(TestKernels.wasm("noop"));
    String id =
        api.submit(
                "{\"name\":\"it-dashboard\",\"kernel\":\""
                    + kernel
                    + "\",\"tasks\":7,\"slurmJobId\":\"4242\"}")
            .getString("id");
    api.consentToken();
    var summary = api.get("/admin/api/summary", Api.admin(ADMIN_PASSWORD));
    assertThat(summary.statusCode()).as(text(summary)).isEqualTo(200);
    JsonObject s = object(summary);
    assertThat(s.getInt("volunteers")).isZero();
    assertThat(s.getJsonObject("consents").getJsonNumber("accepted").longValue()).isPositive();
    assertThat(s.getJsonArray("throughput")).isNotNull();
    assertThat(s.getJsonArray("jobs").getValuesAs(JsonObject.class))
        .anySatisfy(
            j -> {
              assertThat(j.getString("id")).isEqualTo(id);
              assertThat(j.getString("name")).isEqualTo("it-dashboard");
              assertThat(j.getString("slurmJobId")).isEqualTo("4242");
              assertThat(j.getInt("total")).isEqualTo(7);
              assertThat(j.getInt("done")).isZero();
              assertThat(j.getString("state")).isEqualTo("QUEUED");
            });
  }

  @Test
  void theBrowserRuntimeAndItsWasiShimAreServedAsJavaScriptWithCorsForAllowedOrigins() {
    var index = api.get("/surge/runtime/browser/index.js", "Origin", SITE);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
    assertThat(index.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SITE);
    assertThat(index.headers().firstValue("Cache-Control"))
        .hasValueSatisfying(c -> assertThat(c).contains("max-age="));
    assertThat(
            api.get("/surge/runtime/browser/index.js", "Origin", "https://evil.example")
                .headers()
                .firstValue("Access-Control-Allow-Origin"))
        .isEmpty();

    // The shim's import, resolved the way a browser resolves it from where the runtime is served.
    URI shimModule = api.base().resolve("surge/runtime/wasi-shim.js");
    Matcher from =
        Pattern.compile("from \"([^\"]*browser_wasi_shim[^\"]*)\"")
            .matcher(text(api.get(shimModule.toString())));
    assertThat(from.find()).as("wasi-shim.js imports browser_wasi_shim").isTrue();
    var shim = api.get(shimModule.resolve(from.group(1)).toString(), "Origin", SITE);
    assertThat(shim.statusCode()).as(shimModule.resolve(from.group(1)).toString()).isEqualTo(200);
    assertThat(shim.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
    assertThat(text(shim)).contains("export");

    // The runtime downloads kernels across origins too; uploading is not for web pages.
    String kernel = api.kernel(TestKernels.wasm("noop"));
    var download = api.get("/api/kernels/" + kernel, "Origin", SITE);
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SITE);
    var upload = api.postJson("/api/kernels", "{}", "Origin", SITE);
    assertThat(upload.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }
}
