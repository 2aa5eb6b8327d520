package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.object;
import static surge.it.Api.text;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every endpoint against every kind of caller (issue 9, docs/security.md). The JAX-RS methods are
 * read from the running server's {@code /openapi}; each must have a row in {@link #table}, so an
 * endpoint added without deciding who may call it fails this test. Each row is sent by each
 * principal (none, forged, expired and replayed MUNGE credentials, a JWT with a bad signature, a
 * revoked token, alice, bob, the operator) and the status must be the one the row expects.
 */
@ExtendWith(ArquillianExtension.class)
class AccessIT {
  static final Path DIR =
      Path.of(System.getProperty("surge.it.data", "target/it-data"), "munge-access");
  static final byte[] JWT_KEY = new byte[32];
  static Munged munged;

  @Deployment(testable = false)
  @TargetsContainer("access")
  static WebArchive war() throws Exception {
    WebArchive war = SurgeWar.forContainer("access");
    munged = Munged.start(DIR);
    new SecureRandom().nextBytes(JWT_KEY);
    Files.write(DIR.resolve("jwt_hs256.key"), JWT_KEY);
    return war;
  }

  @AfterAll
  static void stopMunged() {
    if (munged != null) {
      munged.close();
    }
  }

  /** Who may call a row: decides the status each principal gets. */
  enum Who {
    /** Anyone, without credentials; a bad credential is still refused (401). */
    PUBLIC,
    /** Any authenticated user. */
    USER,
    /** The owner of alice's job, and operators; bob gets 404, as for a job that does not exist. */
    OWNER,
    /** Operators; users get 403. */
    OPERATOR
  }

  enum Principal {
    NONE,
    FORGED_MUNGE,
    EXPIRED_MUNGE,
    REPLAYED_MUNGE,
    BAD_JWT_SIGNATURE,
    REVOKED_TOKEN,
    ALICE,
    BOB,
    OPERATOR;

    boolean bad() {
      return this != NONE && this != ALICE && this != BOB && this != OPERATOR;
    }
  }

  /** A request to send: method, path (already filled in), content type and body. */
  record Call(String method, String path, String contentType, byte[] body, String origin) {}

  /** One endpoint: who may call it, how to build a call, and the statuses of a permitted caller. */
  record Row(String method, String template, Who who, java.util.function.Supplier<Call> call) {}

  @ArquillianResource URL base;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  Api operator;
  String aliceToken;
  String bobToken;
  String revokedToken;
  String alicesJob;
  String kernel;
  final Deque<String> expired = new ArrayDeque<>();

  @Test
  void everyEndpointAnswersEachKindOfCallerAsTheTableSays() throws Exception {
    operator = new Api(base);
    aliceToken = operator.token("alice", "user");
    bobToken = operator.token("bob", "user");
    revokedToken = operator.token("alice", "user");
    var tokens = Api.array(operator.get("/api/admin/tokens"));
    String revokedId = idOfNewest(tokens, "alice");
    assertThat(operator.delete("/api/admin/tokens/" + revokedId).statusCode()).isEqualTo(204);
    kernel = operator.approvedKernel(TestKernels.wasm("noop"));
    alicesJob = operator.withToken(aliceToken).submit(jobSpec()).getString("id");

    Map<String, Row> table = table();
    Set<String> published = openapiOperations();
    assertThat(published)
        .as("every JAX-RS method in /openapi has a row in AccessIT's table")
        .isSubsetOf(table.keySet());
    assertThat(table.keySet())
        .as("every row of the table (but the servlets') is a method /openapi publishes")
        .containsAll(published);

    List<String> wrong = new ArrayList<>();
    int sent = 0;
    for (Row row : table.values()) {
      for (Principal p : Principal.values()) {
        Call call = row.call().get();
        HttpResponse<byte[]> r = send(call, authorization(p));
        sent++;
        Set<Integer> expected = expected(row, p);
        if (!expected.contains(r.statusCode())) {
          wrong.add(
              row.method()
                  + " "
                  + call.path()
                  + " as "
                  + p
                  + ": expected "
                  + expected
                  + ", got "
                  + r.statusCode()
                  + " "
                  + abbreviate(text(r)));
        } else if (r.statusCode() == 401 || r.statusCode() == 403 || r.statusCode() == 404) {
          // A refusal is JSON that says why, never an HTML page or an empty body.
          if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            wrong.add(row.method() + " " + call.path() + " as " + p + ": refusal is not JSON");
          }
        }
      }
    }
    assertThat(wrong).as("%d requests sent", sent).isEmpty();
    operator.cancelUnfinishedJobs();
  }

  /** The statuses principal {@code p} must get from {@code row}. */
  static Set<Integer> expected(Row row, Principal p) {
    if (p.bad()) {
      return Set.of(401);
    }
    Set<Integer> ok = OK.getOrDefault(row.method() + " " + row.template(), Set.of(200));
    return switch (row.who()) {
      case PUBLIC -> ok;
      case USER -> p == Principal.NONE ? Set.of(401) : ok;
      case OWNER -> p == Principal.NONE ? Set.of(401) : p == Principal.BOB ? Set.of(404) : ok;
      case OPERATOR ->
          p == Principal.NONE ? Set.of(401) : p == Principal.OPERATOR ? ok : Set.of(403);
    };
  }

  /** What a permitted caller gets, where it is not 200. */
  static final Map<String, Set<Integer>> OK =
      Map.ofEntries(
          Map.entry("POST /api/admin/tokens", Set.of(201)),
          Map.entry("DELETE /api/admin/tokens/{id}", Set.of(204)),
          Map.entry("POST /api/admin/volunteer-keys", Set.of(201)),
          Map.entry("DELETE /api/admin/volunteer-keys/{id}", Set.of(204)),
          Map.entry("POST /api/jobs", Set.of(201)),
          // Alice's job waits for volunteers (there are none): its result is not there yet.
          Map.entry("GET /api/jobs/{id}/result", Set.of(409)),
          Map.entry("POST /api/inputs", Set.of(200, 201)),
          Map.entry("POST /api/kernels", Set.of(200, 201)),
          Map.entry("POST /api/consent/decline", Set.of(204)),
          Map.entry("POST /api/consent/revoke", Set.of(204)),
          // The filter reads "/." as the export (operators only); JAX-RS does not resolve the dot,
          // so an operator finds no resource there. What matters is that nobody else gets past.
          Map.entry("GET /api/consent/export/.", Set.of(404)));

  Map<String, Row> table() {
    var rows = new LinkedHashMap<String, Row>();
    add(rows, "GET", "/health", Who.PUBLIC, () -> get("/health"));
    add(rows, "GET", "/metrics", Who.OPERATOR, () -> get("/metrics"));
    add(rows, "GET", "/openapi", Who.OPERATOR, () -> get("/openapi"));
    add(rows, "GET", "/admin/", Who.OPERATOR, () -> get("/admin/"));
    add(rows, "GET", "/admin/api/summary", Who.OPERATOR, () -> get("/admin/api/summary"));
    add(rows, "GET", "/api/admin/volunteers", Who.OPERATOR, () -> get("/api/admin/volunteers"));
    add(rows, "GET", "/api/consent/export/", Who.OPERATOR, () -> get("/api/consent/export/"));
    add(rows, "GET", "/api/consent/export/.", Who.OPERATOR, () -> get("/api/consent/export/."));
    add(
        rows,
        "GET",
        "/webjars/uplot/1.6.30/dist/uPlot.esm.js",
        Who.PUBLIC,
        () -> get("/webjars/uplot/1.6.30/dist/uPlot.esm.js"));
    add(rows, "GET", "/api/whoami", Who.USER, () -> get("/api/whoami"));
    add(
        rows,
        "POST",
        "/api/admin/tokens",
        Who.OPERATOR,
        () -> json("POST", "/api/admin/tokens", "{\"user\":\"carol\",\"role\":\"user\"}"));
    add(rows, "GET", "/api/admin/tokens", Who.OPERATOR, () -> get("/api/admin/tokens"));
    add(
        rows,
        "DELETE",
        "/api/admin/tokens/{id}",
        Who.OPERATOR,
        () -> new Call("DELETE", "/api/admin/tokens/" + throwawayToken(), null, null, null));
    add(
        rows,
        "POST",
        "/api/admin/volunteer-keys",
        Who.OPERATOR,
        () -> json("POST", "/api/admin/volunteer-keys", "{\"name\":\"access-it\"}"));
    add(
        rows,
        "GET",
        "/api/admin/volunteer-keys",
        Who.OPERATOR,
        () -> get("/api/admin/volunteer-keys"));
    add(
        rows,
        "DELETE",
        "/api/admin/volunteer-keys/{id}",
        Who.OPERATOR,
        () -> new Call("DELETE", "/api/admin/volunteer-keys/" + throwawayKey(), null, null, null));
    add(rows, "POST", "/api/jobs", Who.USER, () -> json("POST", "/api/jobs", jobSpec()));
    add(rows, "GET", "/api/jobs", Who.USER, () -> get("/api/jobs"));
    add(rows, "GET", "/api/jobs/{id}", Who.OWNER, () -> get("/api/jobs/" + alicesJob));
    add(
        rows,
        "GET",
        "/api/jobs/{id}/result",
        Who.OWNER,
        () -> get("/api/jobs/" + alicesJob + "/result"));
    add(
        rows,
        "POST",
        "/api/jobs/{id}/cancel",
        Who.OWNER,
        () -> new Call("POST", "/api/jobs/" + alicesJob + "/cancel", null, new byte[0], null));
    add(
        rows,
        "POST",
        "/api/inputs",
        Who.USER,
        () ->
            new Call("POST", "/api/inputs", "application/octet-stream", "1\n2\n".getBytes(), null));
    add(
        rows,
        "POST",
        "/api/kernels",
        Who.USER,
        () -> new Call("POST", "/api/kernels", "application/wasm", TestKernels.wasm("noop"), null));
    add(rows, "GET", "/api/kernels/{sha256}", Who.PUBLIC, () -> get("/api/kernels/" + kernel));
    add(
        rows,
        "PUT",
        "/api/admin/kernels/{sha256}/approval",
        Who.OPERATOR,
        () ->
            json(
                "PUT",
                "/api/admin/kernels/" + kernel + "/approval",
                "{\"note\":\"noop, approved again by AccessIT\"}"));
    add(
        rows,
        "DELETE",
        "/api/admin/kernels/{sha256}/approval",
        Who.OPERATOR,
        () ->
            new Call(
                "DELETE",
                "/api/admin/kernels/" + throwawayApproval() + "/approval",
                null,
                null,
                null));
    add(
        rows,
        "GET",
        "/api/admin/kernels/approvals",
        Who.OPERATOR,
        () -> get("/api/admin/kernels/approvals"));
    add(rows, "GET", "/api/admin/audit", Who.OPERATOR, () -> get("/api/admin/audit"));
    add(
        rows,
        "POST",
        "/api/consent",
        Who.PUBLIC,
        () -> page("/api/consent", "{\"site\":\"https://it.example\",\"revision\":1,\"cpu\":50}"));
    add(
        rows,
        "POST",
        "/api/consent/decline",
        Who.PUBLIC,
        () -> page("/api/consent/decline", "{\"site\":\"https://it.example\",\"revision\":1}"));
    add(
        rows,
        "POST",
        "/api/consent/revoke",
        Who.PUBLIC,
        () -> page("/api/consent/revoke", "{\"token\":\"" + operator.consentToken() + "\"}"));
    add(rows, "GET", "/api/consent/export", Who.OPERATOR, () -> get("/api/consent/export"));
    add(rows, "GET", "/api/projects/{id}", Who.PUBLIC, () -> get("/api/projects/demo"));
    return rows;
  }

  static void add(
      Map<String, Row> rows,
      String method,
      String template,
      Who who,
      java.util.function.Supplier<Call> call) {
    rows.put(method + " " + template, new Row(method, template, who, call));
  }

  static Call get(String path) {
    return new Call("GET", path, null, null, null);
  }

  static Call json(String method, String path, String body) {
    return new Call(method, path, "application/json", body.getBytes(), null);
  }

  /** A request as a page of the allowed origin sends it (consent endpoints). */
  static Call page(String path, String body) {
    return new Call("POST", path, "application/json", body.getBytes(), "https://it.example");
  }

  String jobSpec() {
    return "{\"name\":\"access\",\"kernel\":\""
        + kernel
        + "\",\"tasks\":1,\"merge\":{\"kind\":\"concat\"}}";
  }

  String throwawayToken() {
    var r = operator.postJson("/api/admin/tokens", "{\"user\":\"dave\",\"role\":\"user\"}");
    assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
    return object(r).get("id").toString().replace("\"", "");
  }

  String throwawayKey() {
    var r = operator.postJson("/api/admin/volunteer-keys", "{\"name\":\"throwaway\"}");
    assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
    return object(r).get("id").toString().replace("\"", "");
  }

  String throwawayApproval() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String sha = HexFormat.of().formatHex(random);
    operator.approve(sha);
    return sha;
  }

  static String idOfNewest(jakarta.json.JsonArray tokens, String user) {
    String id = null;
    for (var v : tokens) {
      JsonObject t = v.asJsonObject();
      if (user.equals(t.getString("user"))) {
        id = t.get("id").toString().replace("\"", "");
      }
    }
    assertThat(id).as("a token of %s in %s", user, tokens).isNotNull();
    return id;
  }

  /** The Authorization header principal {@code p} sends, or null for none. */
  String authorization(Principal p) throws Exception {
    return switch (p) {
      case NONE -> null;
      case FORGED_MUNGE -> {
        String c = munged.credential();
        int mid = c.length() / 2;
        yield "MUNGE "
            + c.substring(0, mid)
            + (c.charAt(mid) == 'A' ? 'B' : 'A')
            + c.substring(mid + 1);
      }
      case EXPIRED_MUNGE -> "MUNGE " + expiredCredential();
      case REPLAYED_MUNGE -> {
        String c = munged.credential();
        var first = send(get("/api/whoami"), "MUNGE " + c);
        assertThat(first.statusCode())
            .as("first use of a MUNGE credential: %s", text(first))
            .isEqualTo(200);
        yield "MUNGE " + c;
      }
      case BAD_JWT_SIGNATURE -> {
        byte[] other = new byte[32];
        new SecureRandom().nextBytes(other);
        var claims =
            new JWTClaimsSet.Builder()
                .claim("sun", "alice")
                .issueTime(Date.from(Instant.now()))
                .expirationTime(Date.from(Instant.now().plusSeconds(600)))
                .build();
        var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(other));
        yield "Bearer " + jwt.serialize();
      }
      case REVOKED_TOKEN -> "Bearer " + revokedToken;
      case ALICE -> "Bearer " + aliceToken;
      case BOB -> "Bearer " + bobToken;
      case OPERATOR -> "Bearer " + Api.OPERATOR_TOKEN;
    };
  }

  /** Credentials made with a one-second TTL, in a batch, then left to expire together. */
  String expiredCredential() throws Exception {
    if (expired.isEmpty()) {
      for (int i = 0; i < 40; i++) {
        expired.add(munged.credential("--ttl=1"));
      }
      Thread.sleep(2_200);
    }
    return expired.pop();
  }

  HttpResponse<byte[]> send(Call call, String authorization) throws Exception {
    // Built from the text, not resolved against the base: resolution would remove "/." segments.
    String root = base.toString().replaceAll("/+$", "");
    var builder =
        HttpRequest.newBuilder(URI.create(root + call.path())).timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    if (call.origin() != null) {
      builder.header("Origin", call.origin());
    }
    if (call.contentType() != null) {
      builder.header("Content-Type", call.contentType());
    }
    builder.method(
        call.method(),
        call.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(call.body()));
    return http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** {@code METHOD /path} of every operation in the running server's OpenAPI document. */
  Set<String> openapiOperations() throws Exception {
    var r = send(get("/openapi"), "Bearer " + Api.OPERATOR_TOKEN);
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    String body = text(r);
    JsonObject doc;
    if (body.stripLeading().startsWith("{")) {
      doc = Json.createReader(new StringReader(body)).readObject();
    } else {
      var json =
          send(
              new Call("GET", "/openapi?format=JSON", null, null, null),
              "Bearer " + Api.OPERATOR_TOKEN);
      doc = Json.createReader(new StringReader(text(json))).readObject();
    }
    Set<String> ops = new TreeSet<>();
    for (var path : doc.getJsonObject("paths").entrySet()) {
      String p = path.getKey().startsWith("/api/") ? path.getKey() : "/api" + path.getKey();
      for (String method : path.getValue().asJsonObject().keySet()) {
        if (Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(method)) {
          ops.add(method.toUpperCase() + " " + p);
        }
      }
    }
    assertThat(ops).as("/openapi lists the API").hasSizeGreaterThan(10);
    return ops;
  }

  static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
