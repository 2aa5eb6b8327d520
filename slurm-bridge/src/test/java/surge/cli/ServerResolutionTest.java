package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.FakeSurgeServer;

/** Where every command finds the server: --server, then SURGE_SERVER, then the config file. */
class ServerResolutionTest {
  @TempDir Path dir;
  private FakeSurgeServer fromEnv;
  private FakeSurgeServer fromFile;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    fromEnv = new FakeSurgeServer();
    fromFile = new FakeSurgeServer();
    config =
        Files.writeString(
            dir.resolve("surge.conf"), "# the site's server\nserver = " + fromFile.uri() + "\n");
  }

  @AfterEach
  void stop() {
    fromEnv.close();
    fromFile.close();
  }

  @Test
  void theEnvironmentWinsOverTheConfigFile() {
    CliRun run =
        CliRun.run(
            Map.of("SURGE_SERVER", fromEnv.uri().toString(), "SURGE_CONFIG", config.toString()),
            "jobs");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(fromEnv.requests("GET", "/api/jobs")).hasSize(1);
    assertThat(fromFile.requests()).isEmpty();
  }

  @Test
  void theOptionWinsOverBoth() {
    CliRun run =
        CliRun.run(
            Map.of("SURGE_SERVER", "http://127.0.0.1:9", "SURGE_CONFIG", config.toString()),
            "jobs",
            "--server",
            fromEnv.uri().toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(fromEnv.requests("GET", "/api/jobs")).hasSize(1);
  }

  @Test
  void withoutTheEnvironmentTheConfigFileNamesTheServer() {
    CliRun run = CliRun.run(Map.of("SURGE_CONFIG", config.toString()), "jobs");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(fromFile.requests("GET", "/api/jobs")).hasSize(1);
  }

  @Test
  void withNeitherTheMessageNamesBoth() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.conf"), "# nothing yet\n");

    CliRun run = CliRun.run(Map.of("SURGE_CONFIG", empty.toString()), "jobs");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains("no Surge server given")
        .contains("set SURGE_SERVER")
        .contains("write server=URL into " + empty + " (named by SURGE_CONFIG)");
  }

  @Test
  void aConfigFileThatDoesNotExistIsNamed() {
    Path missing = dir.resolve("nope.conf");

    CliRun run = CliRun.run(Map.of("SURGE_CONFIG", missing.toString()), "jobs");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("SURGE_CONFIG names " + missing + ", which does not exist");
  }

  @Test
  void aBadUrlInTheConfigFileNamesTheFile() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.conf"), "server=surge-gateway:8080\n");

    CliRun run = CliRun.run(Map.of("SURGE_CONFIG", bad.toString()), "jobs");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains(
            "server in " + bad + ": expected an http:// or https:// URL, got 'surge-gateway:8080'");
  }
}
