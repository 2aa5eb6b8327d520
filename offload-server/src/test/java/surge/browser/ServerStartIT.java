package surge.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/surge-server} as an admin runs it again and again on one data directory: a restart
 * serves the banner from its first healthy answer on (Payara's remembered deployment once made it
 * redeploy, with seconds of 404s after /health said 200), keeps the data, and a second server on
 * the same directory is refused while the first runs.
 */
class ServerStartIT {
  static Path fresh(String name) throws Exception {
    Path dir = Path.of("target/it-data/" + name).toAbsolutePath();
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return dir;
  }

  static int status(SurgeServer server, String path) throws Exception {
    return SurgeServer.send(HttpRequest.newBuilder(server.uri(path)).build()).statusCode();
  }

  /**
   * The local addresses (address:port) the process listens on, TCP and UDP, as {@code ss} shows
   * them. Payara once opened Hazelcast's 6900 on every interface although --nohazelcast was given.
   */
  static List<String> listening(long pid) throws Exception {
    List<String> addresses = new ArrayList<>();
    for (String protocol : List.of("-t", "-u")) {
      Process ss = new ProcessBuilder("ss", "-H", "-l", "-n", "-p", protocol).start();
      String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(ss.waitFor(30, TimeUnit.SECONDS)).isTrue();
      out.lines()
          .filter(l -> l.contains("pid=" + pid + ","))
          .map(l -> l.trim().split("\\s+")[3])
          .forEach(addresses::add);
    }
    return addresses;
  }

  @Test
  void theServerListensOnlyOnItsHttpPort() throws Exception {
    try (var server = new SurgeServer(fresh("ports"), Map.of())) {
      assertThat(listening(server.pid())).containsExactly("*:" + server.port);
    }
  }

  @Test
  void withSurgeBindTheServerListensOnlyThere() throws Exception {
    try (var server = new SurgeServer(fresh("bind"), Map.of("SURGE_BIND", "127.0.0.1"))) {
      assertThat(listening(server.pid()))
          .singleElement()
          .satisfies(
              a ->
                  assertThat(a)
                      .isIn("127.0.0.1:" + server.port, "[::ffff:127.0.0.1]:" + server.port));
      assertThat(status(server, "/health")).isEqualTo(200);
    }
  }

  @Test
  void aRestartServesFromItsFirstHealthyAnswerAndKeepsTheData() throws Exception {
    Path data = fresh("restart");
    String kernel;
    try (var first = new SurgeServer(data, Map.of())) {
      kernel = first.uploadKernel("montecarlo");
    }
    try (var second = new SurgeServer(data, Map.of())) {
      // Long enough to see a redeployment: it began about 6 s after /health answered 200.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      List<String> failures = new ArrayList<>();
      int requests = 0;
      while (System.nanoTime() < until) {
        for (String path : List.of("/surge/banner.js", "/api/projects/demo")) {
          int code = status(second, path);
          requests++;
          if (code != 200) {
            failures.add(path + " " + code);
          }
        }
        Thread.sleep(100);
      }
      assertThat(failures).as("answers other than 200 in %d requests", requests).isEmpty();
      assertThat(status(second, "/api/kernels/" + kernel))
          .as("the kernel uploaded before the restart")
          .isEqualTo(200);
      long starts =
          Files.readString(second.log(), StandardCharsets.UTF_8)
              .lines()
              .filter(l -> l.contains("Surge started on"))
              .count();
      assertThat(starts).as("Surge started once per server start").isEqualTo(2);
    }
  }

  @Test
  void aSecondServerOnTheSameDataDirectoryIsRefusedAndTheFirstKeepsServing() throws Exception {
    Path data = fresh("lock");
    try (var first = new SurgeServer(data, Map.of())) {
      var second =
          new ProcessBuilder(
                  SurgeServer.REPO.resolve("bin/surge-server").toString(),
                  "--port",
                  "" + SurgeServer.freePort())
              .redirectErrorStream(true);
      second.environment().put("SURGE_DATA_DIR", data.toString());
      Process process = second.start();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the second server exits").isTrue();
      String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as(said).isEqualTo(1);
      assertThat(said)
          .contains("another server is running with SURGE_DATA_DIR=" + data)
          .doesNotContain("Payara");
      assertThat(status(first, "/health")).isEqualTo(200);
      assertThat(status(first, "/surge/banner.js")).isEqualTo(200);
    }
  }
}
