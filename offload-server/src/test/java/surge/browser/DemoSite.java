package surge.browser;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The demo site ({@code node examples/site/serve.mjs}) as a process, stopped by its pid. */
final class DemoSite implements AutoCloseable {
  final int port;
  private final Process process;
  private final Path log;

  DemoSite(int port, String server, Path logDir) throws Exception {
    this.port = port;
    Files.createDirectories(logDir);
    log = logDir.resolve("site.log");
    process =
        new ProcessBuilder(
                "node",
                SurgeServer.REPO.resolve("examples/site/serve.mjs").toString(),
                "--server",
                server,
                "--port",
                "" + port)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    Browser.await(Duration.ofSeconds(60), "the demo site on port " + port, this::answers);
  }

  String url() {
    return "http://localhost:" + port + "/";
  }

  private boolean answers() throws InterruptedException {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "serve.mjs exited with " + process.exitValue() + "; see " + log);
    }
    try {
      return SurgeServer.send(HttpRequest.newBuilder(java.net.URI.create(url())).build())
              .statusCode()
          == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
