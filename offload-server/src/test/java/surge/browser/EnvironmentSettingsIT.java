package surge.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import surge.policies.DispatchPolicy;

/**
 * {@code bin/surge-server} on Payara Micro 6 as an admin configures it, by the documented {@code
 * SURGE_*} environment variables: MicroProfile Config finds {@code SURGE_MAX_JSON_BYTES} as the
 * property {@code surge.max.json.bytes}; a centre's own dispatch policy, in a jar of its own given
 * by {@code SURGE_POLICY_JARS}, is chosen by its name; a bad value stops the start naming the
 * variable.
 */
class EnvironmentSettingsIT {
  static final String POLICY =
      """
      package centre;

      import java.time.Duration;
      import surge.policies.DispatchPolicy;
      import surge.policies.DispatchPolicyProvider;
      import surge.policies.VolunteerProfile;

      public final class OneAtATime implements DispatchPolicy, DispatchPolicyProvider {
        private final Duration lease;

        public OneAtATime() { this(Duration.ofSeconds(30)); }
        OneAtATime(Duration lease) { this.lease = lease; }

        @Override public String name() { return "one-at-a-time"; }
        @Override public DispatchPolicy create(int tasksPerWorker, Duration lease) {
          return new OneAtATime(lease);
        }
        @Override public int batch(VolunteerProfile v) { return 1; }
        @Override public int prefetchBelow(VolunteerProfile v) { return 0; }
        @Override public int grant(VolunteerProfile v, int requested, int held) {
          return held == 0 && requested > 0 ? 1 : 0;
        }
        @Override public Duration lease(VolunteerProfile v) { return lease; }
        @Override public String toString() { return "the centre's one-at-a-time policy"; }
      }
      """;

  @Test
  void documentedVariablesAndACentresPolicyJarReachTheServer() throws Exception {
    Path data = ServerStartIT.fresh("env-settings");
    Path jar = policyJar(data.resolveSibling("env-settings-policy"));
    var env =
        Map.of(
            "SURGE_CENTRE", "Centre of the environment",
            "SURGE_ALLOWED_ORIGINS", "https://env.example",
            "SURGE_MAX_JSON_BYTES", "200",
            "SURGE_POLICY_JARS", jar.toString(),
            "SURGE_DISPATCH_MODE", "one-at-a-time");
    try (var server = new SurgeServer(data, env)) {
      assertThat(
              SurgeServer.json(SurgeServer.send(server.request("/api/projects/demo").GET().build()))
                  .getString("centre"))
          .isEqualTo("Centre of the environment");
      assertThat(preflight(server, "https://env.example").statusCode()).isEqualTo(204);
      assertThat(
              preflight(server, "https://env.example")
                  .headers()
                  .firstValue("access-control-allow-origin"))
          .contains("https://env.example");
      assertThat(preflight(server, "https://other.example").statusCode()).isEqualTo(403);
      var big =
          SurgeServer.send(
              server
                  .request("/api/jobs")
                  .header("content-type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString("{\"name\":\"" + "x".repeat(300) + "\"}"))
                  .build());
      assertThat(big.statusCode()).isEqualTo(413);
      assertThat(big.body()).contains("SURGE_MAX_JSON_BYTES");
      assertThat(Files.readString(server.log(), StandardCharsets.UTF_8))
          .contains("with the centre's one-at-a-time policy");
    }
  }

  @Test
  void anUnknownPolicyNameStopsTheStartListingTheNames() throws Exception {
    assertThat(failedStart("env-unknown-policy", Map.of("SURGE_DISPATCH_MODE", "fastest")))
        .contains(
            "SURGE_DISPATCH_MODE names no dispatch policy 'fastest'; there are [async, batch,"
                + " speed, dwell]");
  }

  @Test
  void aValueOutOfBoundsStopsTheStartNamingTheVariable() throws Exception {
    assertThat(failedStart("env-bad-value", Map.of("SURGE_TASKS_PER_WORKER", "0")))
        .contains("SURGE_TASKS_PER_WORKER must be between 1 and 10000, got 0");
  }

  static java.net.http.HttpResponse<String> preflight(SurgeServer server, String origin)
      throws Exception {
    return SurgeServer.send(
        HttpRequest.newBuilder(server.uri("/api/consent"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .build());
  }

  /**
   * Starts bin/surge-server with {@code env}, waits for Surge's refusal in its log, checks that
   * {@code /health} never says 200, stops the JVM by its pid and returns the log.
   */
  static String failedStart(String name, Map<String, String> env) throws Exception {
    Path data = ServerStartIT.fresh(name);
    Files.createDirectories(data);
    Path log = data.resolve("server.log");
    int port = SurgeServer.freePort();
    var pb =
        new ProcessBuilder(
                SurgeServer.REPO.resolve("bin/surge-server").toString(), "--port", "" + port)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("SURGE_DATA_DIR", data.toString());
    pb.environment().putAll(env);
    Process process = pb.start();
    try {
      long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < until
          && !Files.readString(log, StandardCharsets.UTF_8).contains("Surge could not start")) {
        assertThat(process.isAlive()).as("Payara Micro runs on after a failed deployment").isTrue();
        Thread.sleep(250);
      }
      String said = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(said).as("the log of %s", log).contains("Surge could not start");
      int health;
      try {
        health =
            SurgeServer.send(
                    HttpRequest.newBuilder(
                            java.net.URI.create("http://localhost:" + port + "/health"))
                        .build())
                .statusCode();
      } catch (java.io.IOException notListening) {
        health = -1;
      }
      assertThat(health).as("/health of a server that could not start").isNotEqualTo(200);
      return said;
    } finally {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    }
  }

  /** The policy compiled against the policies module and packed with its services file. */
  static Path policyJar(Path dir) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/centre"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Files.writeString(src.resolve("OneAtATime.java"), POLICY);
    int rc =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "-d",
                classes.toString(),
                "-classpath",
                policiesClasses(),
                src.resolve("OneAtATime.java").toString());
    assertThat(rc).as("javac exit code").isZero();
    Path jar = dir.resolve("centre-policy.jar");
    try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("centre/OneAtATime.class"));
      out.write(Files.readAllBytes(classes.resolve("centre/OneAtATime.class")));
      out.closeEntry();
      for (String service : List.of("surge.policies.DispatchPolicyProvider")) {
        out.putNextEntry(new JarEntry("META-INF/services/" + service));
        out.write("centre.OneAtATime\n".getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return jar;
  }

  static String policiesClasses() throws URISyntaxException {
    return Path.of(DispatchPolicy.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toString();
  }
}
