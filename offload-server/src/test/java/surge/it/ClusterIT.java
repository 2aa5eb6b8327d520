package surge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import surge.testing.EmbeddedPostgresExtension;
import surge.testing.ServerProcess;

/**
 * Two real Payara instances with SURGE_CLUSTER=on on one real PostgreSQL, a headless Node volunteer
 * on each: one job is shared, merged once, and its result is the native build's byte for byte.
 */
class ClusterIT {
  @RegisterExtension
  static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

  private final List<ServerProcess> servers = new ArrayList<>();
  private final List<Process> volunteers = new ArrayList<>();

  @AfterEach
  void stop() {
    volunteers.forEach(Process::destroyForcibly);
    servers.forEach(ServerProcess::close);
  }

  private ServerProcess server(String name) throws IOException {
    Map<String, String> env = new HashMap<>(postgres.surgeSettings());
    env.put("SURGE_CLUSTER", "on");
    env.put("SURGE_INSTANCE_NAME", name);
    env.put("SURGE_ADMIN_TOKEN", Api.OPERATOR_TOKEN);
    env.put("SURGE_KERNEL_POLICY", "any-user");
    env.put("SURGE_VERIFY", "replicate=1");
    var s =
        ServerProcess.start(Path.of(System.getProperty("surge.it.data"), "cluster-" + name), env);
    servers.add(s);
    return s;
  }

  private void volunteer(ServerProcess server, String key, String name) throws IOException {
    Path repo = Path.of(System.getProperty("surge.it.repo"));
    Path log = Path.of(System.getProperty("surge.it.data"), "cluster-volunteer-" + name + ".log");
    Files.createDirectories(log.getParent());
    volunteers.add(
        new ProcessBuilder(
                "node",
                repo.resolve("worker-runtime/src/node/main.js").toString(),
                "--server",
                server.url(),
                "--key",
                key,
                "--workers",
                "1")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start());
  }

  @Test
  void twoPayaraInstancesShareAJobAndMergeItToTheNativeResult() throws Exception {
    ServerProcess a = server("a");
    ServerProcess b = server("b");
    var onA = new Api(a.uri("/").toURL());
    var onB = new Api(b.uri("/").toURL());
    var created =
        onA.postJson("/api/admin/volunteer-keys", "{\"name\":\"cluster-it\",\"trusted\":false}");
    assertThat(created.statusCode()).as(Api.text(created)).isEqualTo(201);
    String key = Api.object(created).getString("key");
    volunteer(a, key, "a");
    volunteer(b, key, "b");
    a.awaitVolunteers(1, Duration.ofSeconds(60));
    b.awaitVolunteers(1, Duration.ofSeconds(60));
    String job =
        onA.submit(
                "{\"kernel\":\""
                    + onA.kernel(TestKernels.wasm("montecarlo"))
                    + "\",\"tasks\":200,\"args\":[\"2000000\"],\"merge\":{\"kind\":\"sum\"}}")
            .getString("id");
    onB.awaitState(job, "SUCCEEDED", Duration.ofSeconds(300));
    assertThat(onA.status(job).getString("state")).isEqualTo("SUCCEEDED");
    byte[] expected =
        surge.TestFiles.run(
            surge.TestFiles.native_("montecarlo-whole").toString(), "200", "2000000");
    assertThat(onA.result(job)).isEqualTo(expected);
    assertThat(onB.result(job)).isEqualTo(expected);
    double doneOnA = onA.metric("surge_tasks_done_total");
    double doneOnB = onB.metric("surge_tasks_done_total");
    System.out.printf("cluster: tasks done on a %.0f, on b %.0f%n", doneOnA, doneOnB);
    assertThat(doneOnA).as("tasks done on a").isPositive();
    assertThat(doneOnB).as("tasks done on b").isPositive();
    assertThat(doneOnA + doneOnB).isGreaterThanOrEqualTo(200);
  }
}
