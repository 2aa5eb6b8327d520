package surge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path as a user sees it: {@code bin/surge submit} against a real server with two
 * headless Node volunteers, each merged result compared byte for byte with the native build.
 */
class EndToEndIT {
  @TempDir static Path dir;
  static Cluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new Cluster(dir.resolve("surge"), Map.of());
    cluster.startServer();
    cluster.startVolunteers(2);
    cluster.awaitVolunteers(2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void monteCarloOnVolunteersEqualsTheNativeBuild() throws Exception {
    var run =
        cluster.surge(
            "submit",
            "--kernel",
            Cluster.kernel("montecarlo").toString(),
            "--tasks",
            "24",
            "--arg",
            "300000",
            "--merge",
            "sum",
            "--wait");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    byte[] expected = Cluster.nativeRun(Map.of(), new byte[0], "montecarlo-whole", "24", "300000");
    assertThat(run.out()).isEqualTo(new String(expected, StandardCharsets.UTF_8));
  }

  @Test
  void mandelbrotOnVolunteersIsTheNativeImageByteForByte() throws Exception {
    Path out = dir.resolve("m.pgm");
    var run =
        cluster.surge(
            "submit",
            "--kernel",
            Cluster.kernel("mandelbrot").toString(),
            "--tasks",
            "15",
            "--merge",
            "concat",
            "--output",
            out.toString(),
            "--wait");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    byte[] expected = Cluster.nativeRun(Map.of(), new byte[0], "mandelbrot-whole", "15");
    byte[] got = Files.readAllBytes(out);
    assertThat(got).hasSize(expected.length).startsWith("P5\n400 300\n255\n".getBytes());
    assertThat(got).isEqualTo(expected);
  }

  @Test
  void anInputSplitByLinesAndSummedCountsLikeTheWholeFile() throws Exception {
    var text = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      text.append("line ").append(i).append(" has some words in it\n");
    }
    Path input = dir.resolve("input.txt");
    Files.writeString(input, text);
    var run =
        cluster.surge(
            "submit",
            "--kernel",
            Cluster.kernel("linecount").toString(),
            "--input",
            input.toString(),
            "--split",
            "lines",
            "--tasks",
            "7",
            "--merge",
            "sum",
            "--wait");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    byte[] expected =
        Cluster.nativeRun(Map.of(), text.toString().getBytes(StandardCharsets.UTF_8), "linecount");
    assertThat(run.out())
        .isEqualTo(new String(expected, StandardCharsets.UTF_8))
        .startsWith("1000 ");
  }

  @Test
  void aReducerKernelMergesOnTheServer() throws Exception {
    var run =
        cluster.surge(
            "submit",
            "--kernel",
            Cluster.kernel("montecarlo").toString(),
            "--tasks",
            "6",
            "--arg",
            "100000",
            "--merge",
            "reduce:" + Cluster.kernel("pi-reduce"),
            "--wait");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    var all = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < 6; i++) {
      all.write(
          Cluster.nativeRun(
              Map.of("SURGE_TASK_INDEX", "" + i, "SURGE_TASK_COUNT", "6"),
              new byte[0],
              "montecarlo",
              "100000"));
    }
    byte[] expected = Cluster.nativeRun(Map.of(), all.toByteArray(), "pi-reduce");
    assertThat(run.out())
        .startsWith("pi ~= 3.1")
        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
  }

  @Test
  void aFailingTaskFailsTheJobWithItsExitCodeAndStderr() throws Exception {
    var run =
        cluster.surge(
            "submit",
            "--kernel",
            Cluster.kernel("fail").toString(),
            "--tasks",
            "4",
            "--arg",
            "7",
            "--arg",
            "the model diverged",
            "--env",
            "FAIL_INDEX=2",
            "--wait");
    assertThat(run.exitCode()).isEqualTo(1);
    // Every connected volunteer (fewer than SURGE_MAX_FAILURES here) failed it, each quoted.
    assertThat(run.stderr())
        .contains("task 2 failed on")
        .contains("exited with code 7")
        .contains("the model diverged");
  }

  @Test
  void aTrappingKernelFailsTheJob() throws Exception {
    var run =
        cluster.surge(
            "submit", "--kernel", Cluster.kernel("trap").toString(), "--tasks", "2", "--wait");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr()).contains("trapped");
  }

  @Test
  void aKernelThatIsNotWebAssemblyIsRefusedWithTheReason() throws Exception {
    Path bogus = dir.resolve("bogus.wasm");
    Files.writeString(bogus, "#!/bin/sh\necho not wasm\n");
    var run = cluster.surge("submit", "--kernel", bogus.toString(), "--tasks", "1", "--wait");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("refused").contains("not a WebAssembly module");
  }

  @Test
  void theOperatorsCommandsWorkAgainstTheRealServer() throws Exception {
    assumeTrue(cluster.adminToken().isPresent(), "this server wants no credentials");
    var created = cluster.surge("admin", "token", "create", "--user", "alice", "--role", "user");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    String token = created.out().strip();
    assertThat(token).doesNotContain(" ", "\n").isNotEmpty();
    assertThat(created.stderr()).startsWith("surge: created API token ").doesNotContain(token);
    Map<String, String> alice = Map.of("SURGE_TOKEN", token);

    var whoami = cluster.surgeWith(alice, "whoami");
    assertThat(whoami.out()).isEqualTo("alice (role user, via token)\n");
    var refused = cluster.surgeWith(alice, "admin", "token", "list");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.stderr())
        .startsWith("surge: not allowed (")
        .endsWith("with the API token in SURGE_TOKEN\n");

    var list = cluster.surge("admin", "token", "list");
    assertThat(list.out()).contains("alice").doesNotContain(token);
    String id =
        list.out()
            .lines()
            .filter(l -> l.contains(" alice "))
            .findFirst()
            .orElseThrow()
            .split(" +")[0];
    assertThat(cluster.surge("admin", "token", "revoke", id).exitCode()).isZero();
    var revoked = cluster.surgeWith(alice, "jobs");
    assertThat(revoked.exitCode()).isEqualTo(2);
    assertThat(revoked.stderr())
        .startsWith("surge: not authenticated (")
        .contains("tried the API token in SURGE_TOKEN")
        .doesNotContain(token);
    assertThat(cluster.surge("admin", "volunteer-key", "list").out()).contains("e2e volunteers");
    assertThat(cluster.surge("admin", "audit").exitCode()).isIn(0, 2);
  }

  @Test
  void theServerKeepsServingAfterAllThat() throws Exception {
    assertThat(cluster.getJson("/health")).contains("\"status\":\"UP\"");
    assertThat(cluster.getJson("/metrics")).contains("surge_volunteers_connected 2.0");
  }
}
