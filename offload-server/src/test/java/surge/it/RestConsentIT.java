package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.object;
import static surge.it.Api.text;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * What web pages call (docs/api.md, "Browser pieces"), against the built WAR on Payara Micro:
 * consent tokens, the project description, CORS for allowed origins only, declines and revocations
 * in the admin's export, and the runtime served as JavaScript. Shares the "rest" server with the
 * other Rest*IT classes.
 */
class RestConsentIT extends RestApi {
  // ItServers.REST sets SURGE_ALLOWED_ORIGINS to https://it.example and SURGE_ADMIN_PASSWORD to
  // ADMIN_PASSWORD for this server.

  private static final String SITE = "https://it.example";

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
