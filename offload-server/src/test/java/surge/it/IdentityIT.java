package surge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.it.Api.array;
import static surge.it.Api.object;
import static surge.it.Api.text;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who is calling and whose job it is (docs/api.md, "Authentication"), against the built WAR on
 * Payara Micro with a real munged and Slurm's HS256 key, both made here before the server starts.
 */
@ExtendWith(ArquillianExtension.class)
class IdentityIT {
  static final Path DIR =
      Path.of(System.getProperty("surge.it.data", "target/it-data"), "munge-identity");
  static final Path SOCKET = DIR.resolve("munge.socket");
  static final byte[] JWT_KEY = new byte[32];
  static long mungedPid;

  @Deployment(testable = false)
  @TargetsContainer("identity")
  static WebArchive war() throws Exception {
    WebArchive war = SurgeWar.forContainer("identity");
    startMunged();
    new SecureRandom().nextBytes(JWT_KEY);
    Files.write(DIR.resolve("jwt_hs256.key"), JWT_KEY);
    return war;
  }

  static void startMunged() throws Exception {
    if (Files.exists(DIR.resolve("pid"))) {
      long old = Long.parseLong(Files.readString(DIR.resolve("pid")).strip());
      ProcessHandle.of(old).ifPresent(ProcessHandle::destroy);
    }
    Files.createDirectories(DIR);
    Files.setPosixFilePermissions(DIR, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String f : List.of("key", "pid", "log", "seed", "munge.socket")) {
      Files.deleteIfExists(DIR.resolve(f));
    }
    run("mungekey", "--create", "--keyfile=" + DIR.resolve("key"));
    run(
        "munged",
        "--key-file=" + DIR.resolve("key"),
        "--socket=" + SOCKET,
        "--pid-file=" + DIR.resolve("pid"),
        "--log-file=" + DIR.resolve("log"),
        "--seed-file=" + DIR.resolve("seed"));
    mungedPid = Long.parseLong(Files.readString(DIR.resolve("pid")).strip());
  }

  @AfterAll
  static void stopMunged() {
    ProcessHandle.of(mungedPid).ifPresent(ProcessHandle::destroy);
  }

  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", List.of(command), out).isZero();
    return out.strip();
  }

  static String munge(String... extra) throws Exception {
    var command = new java.util.ArrayList<>(List.of("munge", "--socket=" + SOCKET, "--no-input"));
    command.addAll(List.of(extra));
    return run(command.toArray(String[]::new));
  }

  static String jwt(byte[] key, String user, Instant exp) throws Exception {
    var claims =
        new JWTClaimsSet.Builder()
            .claim("sun", user)
            .issueTime(Date.from(Instant.now()))
            .expirationTime(Date.from(exp))
            .build();
    var signed = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    signed.sign(new MACSigner(key));
    return signed.serialize();
  }

  @ArquillianResource URL base;
  Api operator;
  Api anonymous;

  @BeforeEach
  void clients() {
    operator = new Api(base);
    anonymous = operator.anonymous();
  }

  static void assertRefused(java.net.http.HttpResponse<byte[]> r, int status) {
    assertThat(r.statusCode()).as(text(r)).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(object(r).getString("error")).isNotBlank();
  }

  @Test
  void withoutCredentialsTheApiAnswers401WithAChallengeAndJson() {
    for (String path : List.of("/api/jobs", "/api/whoami", "/api/jobs/j-000001")) {
      var r = anonymous.get(path);
      assertRefused(r, 401);
      assertThat(r.headers().allValues("WWW-Authenticate")).contains("Bearer realm=\"surge\"");
    }
    var upload = anonymous.post("/api/kernels", "application/wasm", TestKernels.wasm("noop"));
    assertRefused(upload, 401);
    assertThat(anonymous.get("/health").statusCode()).isEqualTo(200);
    assertThat(anonymous.get("/api/projects/demo").statusCode()).isEqualTo(200);
  }

  @Test
  void aMungeCredentialNamesItsUserOnceAndForgedExpiredOrReplayedOnesAre401() throws Exception {
    String credential = munge();
    var first = operator.as("MUNGE " + credential).get("/api/whoami");
    assertThat(first.statusCode()).as(text(first)).isEqualTo(200);
    assertThat(object(first).getString("user")).isEqualTo(System.getProperty("user.name"));
    assertThat(object(first).getString("via")).isEqualTo("munge");

    var replayed = operator.as("MUNGE " + credential).get("/api/whoami");
    assertRefused(replayed, 401);
    assertThat(object(replayed).getString("error")).contains("replayed");

    int mid = credential.length() / 2;
    String forged =
        credential.substring(0, mid)
            + (credential.charAt(mid) == 'A' ? 'B' : 'A')
            + credential.substring(mid + 1);
    assertRefused(operator.as("MUNGE " + forged).get("/api/whoami"), 401);
    assertRefused(operator.as("MUNGE not-a-credential").get("/api/whoami"), 401);

    String shortLived = munge("--ttl=1");
    Thread.sleep(2_200);
    var expired = operator.as("MUNGE " + shortLived).get("/api/whoami");
    assertRefused(expired, 401);
    assertThat(object(expired).getString("error")).contains("expired");
  }

  @Test
  void aSlurmJwtSignedWithTheClustersKeyNamesItsUserAndOthersAre401() throws Exception {
    var good = operator.as("Bearer " + jwt(JWT_KEY, "carol", Instant.now().plusSeconds(600)));
    assertThat(object(good.get("/api/whoami")).getString("user")).isEqualTo("carol");

    byte[] other = new byte[32];
    new SecureRandom().nextBytes(other);
    assertRefused(
        operator
            .as("Bearer " + jwt(other, "carol", Instant.now().plusSeconds(600)))
            .get("/api/whoami"),
        401);
    assertRefused(
        operator
            .as("Bearer " + jwt(JWT_KEY, "carol", Instant.now().minusSeconds(5)))
            .get("/api/whoami"),
        401);
    var b64 = Base64.getUrlEncoder().withoutPadding();
    String none =
        b64.encodeToString("{\"alg\":\"none\"}".getBytes())
            + "."
            + b64.encodeToString(
                ("{\"sun\":\"root\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}")
                    .getBytes())
            + ".";
    assertRefused(operator.as("Bearer " + none).get("/api/whoami"), 401);
  }

  @Test
  void aRevokedTokenIs401FromTheNextRequest() {
    var created =
        operator.postJson(
            "/api/admin/tokens", "{\"user\":\"dave\",\"role\":\"user\",\"expires\":\"1d\"}");
    assertThat(created.statusCode()).as(text(created)).isEqualTo(201);
    JsonObject t = object(created);
    assertThat(t.getString("token")).startsWith("surge_");
    var dave = operator.withToken(t.getString("token"));
    assertThat(object(dave.get("/api/whoami")).getString("role")).isEqualTo("user");
    assertThat(array(operator.get("/api/admin/tokens")).toString())
        .contains(t.getString("id"))
        .doesNotContain(t.getString("token"));
    assertThat(operator.delete("/api/admin/tokens/" + t.getString("id")).statusCode())
        .isEqualTo(204);
    assertRefused(dave.get("/api/whoami"), 401);
    assertRefused(operator.withToken("surge_never-issued-0123456789").get("/api/whoami"), 401);
  }

  @Test
  void usersSeeOnlyTheirOwnJobsAndAnotherUsersJobIs404() {
    var alice = operator.withToken(operator.token("alice", "user"));
    var bob = operator.withToken(operator.token("bob", "user"));
    String kernel = alice.kernel(TestKernels.wasm("noop"));
    String id = alice.submit("{\"kernel\":\"" + kernel + "\",\"tasks\":2}").getString("id");
    assertThat(id).matches("j-\\d{6}-[a-z2-9]{16}");

    assertThat(alice.get("/api/jobs/" + id).statusCode()).isEqualTo(200);
    for (var r :
        List.of(
            bob.get("/api/jobs/" + id),
            bob.get("/api/jobs/" + id + "/result"),
            bob.post("/api/jobs/" + id + "/cancel", "application/json", new byte[0]))) {
      assertRefused(r, 404);
    }
    String guessed = id.substring(0, id.length() - 1) + (id.endsWith("a") ? "b" : "a");
    assertRefused(alice.get("/api/jobs/" + guessed), 404);
    assertRefused(alice.get("/api/jobs/" + id.substring(0, 8)), 404);

    assertThat(text(alice.get("/api/jobs"))).contains(id);
    assertThat(text(bob.get("/api/jobs"))).doesNotContain(id);
    var all = operator.get("/api/jobs?limit=1000");
    assertThat(text(all)).contains(id).contains("\"owner\":\"alice\"");
    var cancelled = operator.post("/api/jobs/" + id + "/cancel", "application/json", new byte[0]);
    assertThat(object(cancelled).getString("state")).isEqualTo("CANCELLED");

    var input = alice.post("/api/inputs", "text/plain", "a\nb\n".getBytes());
    String sha = object(input).getString("sha256");
    var stolen =
        bob.postJson(
            "/api/jobs",
            "{\"kernel\":\""
                + kernel
                + "\",\"tasks\":1,\"input\":{\"sha256\":\""
                + sha
                + "\",\"split\":\"lines\"}}");
    assertRefused(stolen, 400);
    assertThat(object(stolen).getString("field")).isEqualTo("input.sha256");
  }

  @Test
  void metricsOpenapiAndTheAdminApiNeedAnOperator() {
    var alice = operator.withToken(operator.token("alice2", "user"));
    for (String path :
        List.of("/metrics", "/openapi", "/api/admin/tokens", "/api/admin/volunteer-keys")) {
      assertRefused(anonymous.get(path), 401);
      assertRefused(alice.get(path), 403);
      assertThat(operator.get(path).statusCode()).as(path).isEqualTo(200);
    }
    assertThat(text(operator.get("/openapi"))).contains("/api/jobs").contains("/api/whoami");
    assertRefused(
        alice.postJson("/api/admin/tokens", "{\"user\":\"alice2\",\"role\":\"operator\"}"), 403);
  }

  @Test
  void theConsentExportNeedsAnOperatorHoweverItIsSpelled() {
    var alice = operator.withToken(operator.token("alice3", "user"));
    for (String path :
        List.of(
            "/api/consent/export",
            "/api/consent/export/",
            "/api/consent/export/.",
            "/api/consent//export",
            "/api/consent/export;x=1")) {
      assertThat(anonymous.getRaw(path).statusCode()).as(path).isEqualTo(401);
      assertThat(alice.getRaw(path).statusCode()).as(path).isEqualTo(403);
    }
    assertThat(operator.getRaw("/api/consent/export").statusCode()).isEqualTo(200);
  }

  @Test
  void theDashboardTakesThePasswordOrAnOperatorTokenAsItsPassword() {
    assertThat(anonymous.get("/admin/").statusCode()).isEqualTo(401);
    assertThat(anonymous.get("/admin/", Api.admin("it-admin-password")).statusCode())
        .isEqualTo(200);
    String token =
        Base64.getEncoder()
            .encodeToString(("anyone:" + Api.OPERATOR_TOKEN).getBytes(StandardCharsets.UTF_8));
    assertThat(anonymous.get("/admin/", "Authorization", "Basic " + token).statusCode())
        .isEqualTo(200);
    var alice =
        Base64.getEncoder().encodeToString(("x:" + operator.token("alice4", "user")).getBytes());
    assertThat(anonymous.get("/admin/", "Authorization", "Basic " + alice).statusCode())
        .isEqualTo(403);
  }

  @Test
  void aConsentWithoutAWebPagesOriginIsRefused() {
    var headless =
        anonymous.postJson(
            "/api/consent", "{\"site\":\"https://it.example\",\"revision\":1,\"cpu\":50}");
    assertRefused(headless, 403);
    assertThat(object(headless).getString("error")).contains("volunteer key");
  }

  @Test
  void aVolunteerKeySaysHelloAndARevokedOneIsRefused() {
    var created =
        operator.postJson("/api/admin/volunteer-keys", "{\"name\":\"node-1\",\"trusted\":true}");
    assertThat(created.statusCode()).as(text(created)).isEqualTo(201);
    JsonObject key = object(created);
    assertThat(key.getString("key")).startsWith("surgevk_");
    assertThat(key.getBoolean("trusted")).isTrue();
    try (var machine = VolunteerClient.connect(operator.volunteerSocket())) {
      assertThat(machine.helloWithKey(key.getString("key")).getString("type")).isEqualTo("welcome");
    }
    assertThat(operator.delete("/api/admin/volunteer-keys/" + key.getString("id")).statusCode())
        .isEqualTo(204);
    try (var revoked = VolunteerClient.connect(operator.volunteerSocket())) {
      revoked.sendHello("key", key.getString("key"));
      assertThat(revoked.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1008);
    }
    try (var forged = VolunteerClient.connect(operator.volunteerSocket())) {
      forged.sendHello("key", "surgevk_forged");
      assertThat(forged.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1008);
    }
  }

  @Test
  void whoamiTellsTheOperatorSo() {
    JsonObject me = object(operator.get("/api/whoami"));
    assertThat(me.getString("role")).isEqualTo("operator");
    assertThat(me.getBoolean("operator")).isTrue();
  }
}
