package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.object;
import static surge.it.Api.text;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.junit.jupiter.api.Test;

/**
 * What an operator watches, against the built WAR on Payara Micro: health, Prometheus metrics, the
 * OpenAPI document and the dashboard behind the admin's login. Shares the "rest" server with the
 * other Rest*IT classes.
 */
class RestOpsIT extends RestApi {
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

    String kernel = api.approvedKernel(TestKernels.wasm("noop"));
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
    assertThat(s.getString("kernelPolicy")).isEqualTo("approved");
    assertThat(s.getJsonArray("approvedKernels").getValuesAs(JsonObject.class))
        .anySatisfy(k -> assertThat(k.getString("sha256")).isEqualTo(kernel));
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
}
