package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.AccessTable.expected;
import static surge.it.AccessTable.get;
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
import surge.it.AccessTable.Call;
import surge.it.AccessTable.Principal;
import surge.it.AccessTable.Row;

/**
 * Every endpoint against every kind of caller (issue 9, docs/security.md). The JAX-RS methods are
 * read from the running server's {@code /openapi}; each must have a row in {@link AccessTable}, so
 * an endpoint added without deciding who may call it fails this test. Each row is sent by each
 * principal (none, forged, expired and replayed MUNGE credentials, a JWT with a bad signature, a
 * revoked token, alice, bob, the operator) and the status must be the one the row expects.
 */
@ExtendWith(ArquillianExtension.class)
class AccessIT implements AccessTable.Fixtures {
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

    Map<String, Row> table = AccessTable.table(this);
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

  @Override
  public String jobSpec() {
    return "{\"name\":\"access\",\"kernel\":\""
        + kernel
        + "\",\"tasks\":1,\"merge\":{\"kind\":\"concat\"}}";
  }

  @Override
  public String throwawayToken() {
    var r = operator.postJson("/api/admin/tokens", "{\"user\":\"dave\",\"role\":\"user\"}");
    assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
    return object(r).get("id").toString().replace("\"", "");
  }

  @Override
  public String throwawayKey() {
    var r = operator.postJson("/api/admin/volunteer-keys", "{\"name\":\"throwaway\"}");
    assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
    return object(r).get("id").toString().replace("\"", "");
  }

  @Override
  public String throwawayApproval() {
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
  @Override
  public String alicesJob() {
    return alicesJob;
  }

  @Override
  public String kernel() {
    return kernel;
  }

  @Override
  public String consentToken() {
    return operator.consentToken();
  }

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
