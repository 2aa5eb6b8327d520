package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.array;
import static surge.it.Api.object;
import static surge.it.Api.text;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Kernels through the REST API of docs/api.md, against the built WAR on Payara Micro: upload,
 * validation, fetching, size limit and approval (the default kernel policy). Shares the "rest"
 * server with the other Rest*IT classes.
 */
class RestKernelsIT extends RestApi {
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
  void kernelsThatWouldRunOrAllocateWhenInstantiatedAreRefusedAtOnce() {
    // 62 bytes whose start function never returns; 55 bytes declaring 1 GiB of memory. Both used
    // to be instantiated by the check: the first held the HTTP thread for ever.
    byte[] startLoop =
        TestKernels.wat(
            "(module (memory (export \"memory\") 1) (func $s (loop (br 0))) (start $s)"
                + " (func (export \"_start\")))");
    byte[] hugeMemory =
        TestKernels.wat("(module (memory (export \"memory\") 16384) (func (export \"_start\")))");
    for (var c :
        new Object[][] {
          {startLoop, "has a start section"}, {hugeMemory, "SURGE_MAX_KERNEL_MEMORY"},
        }) {
      long t0 = System.nanoTime();
      var response = api.post("/api/kernels", "application/wasm", (byte[]) c[0]);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(response.statusCode()).as(text(response)).isEqualTo(400);
      assertThat(object(response).getString("field")).isEqualTo("kernel");
      assertThat(object(response).getString("error")).contains((String) c[1]);
    }
    assertThat(api.get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void aKernelOverTheSizeLimitIs413Json() {
    var response = api.post("/api/kernels", "application/wasm", new byte[(16 << 20) + 1]);
    assertThat(response.statusCode()).as(text(response)).isEqualTo(413);
    assertThat(object(response).getString("field")).isEqualTo("kernel");
    assertThat(object(response).getString("error")).contains("SURGE_MAX_KERNEL_BYTES");
  }

  @Test
  void anUnapprovedKernelIs403SayingHowToGetItApprovedAndOnlyOperatorsApprove() {
    // A kernel of this test's own, so no other test has approved it.
    String sha =
        api.kernel(
            TestKernels.wat(
                "(module (memory (export \"memory\") 1) (func (export \"_start\")) (func"
                    + " (export \"approval-it\")))"));
    String job = "{\"kernel\":\"" + sha + "\",\"tasks\":1}";
    var refused = api.postJson("/api/jobs", job);
    assertThat(refused.statusCode()).as(text(refused)).isEqualTo(403);
    assertThat(object(refused).getString("field")).isEqualTo("kernel");
    assertThat(object(refused).getString("error"))
        .contains("not approved")
        .contains("bin/surge admin kernel approve " + sha + " --note");

    String approval = "/api/admin/kernels/" + sha + "/approval";
    var anonymous =
        api.anonymous()
            .send(
                java.net.http.HttpRequest.newBuilder(api.base().resolve(approval.substring(1)))
                    .header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"note\":\"mine\"}"))
                    .build());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    api.approve(sha);
    var list = api.get("/api/admin/kernels/approvals", Api.admin(ADMIN_PASSWORD));
    assertThat(array(list).getValuesAs(JsonObject.class))
        .anySatisfy(
            a -> {
              assertThat(a.getString("sha256")).isEqualTo(sha);
              assertThat(a.getString("note")).isEqualTo("approved by an IT");
              assertThat(a.getString("approvedBy")).isEqualTo("admin");
              assertThat(a.getBoolean("inForce")).isTrue();
              assertThat(a.getBoolean("uploaded")).isTrue();
            });
    assertThat(api.postJson("/api/jobs", job).statusCode()).isEqualTo(201);

    var revoke =
        api.send(
            java.net.http.HttpRequest.newBuilder(api.base().resolve(approval.substring(1)))
                .headers(Api.admin(ADMIN_PASSWORD))
                .DELETE()
                .build());
    assertThat(revoke.statusCode()).as(text(revoke)).isEqualTo(200);
    assertThat(object(revoke).getString("revokedBy")).isEqualTo("admin");
    assertThat(api.postJson("/api/jobs", job).statusCode()).isEqualTo(403);
  }
}
