package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.FakeSurgeServer;

/** What the commands send as credential, and the one line a refused credential gets. */
class CredentialCommandsTest {
  private static final byte[] WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  @TempDir Path dir;
  private FakeSurgeServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeSurgeServer();
    server.storeKernel(WASM);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private CliRun surge(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 1];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server=" + server.uri();
    return CliRun.run(env, all);
  }

  @Test
  void everyRequestOfASubmitCarriesTheToken() throws Exception {
    Path kernel = Files.write(dir.resolve("k.wasm"), WASM);
    server.requireCredential("Bearer surge_alice");

    CliRun run =
        surge(
            Map.of("SURGE_TOKEN", "surge_alice"),
            "submit",
            "--kernel",
            kernel.toString(),
            "--tasks",
            "2",
            "--wait");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(server.requests()).hasSizeGreaterThan(2);
    assertThat(server.requests())
        .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer surge_alice"));
  }

  @Test
  void aRefusedTokenOnSubmitIsOneLineThatNamesItsSourceAndNotTheToken() throws Exception {
    Path kernel = Files.write(dir.resolve("k.wasm"), WASM);
    server.requireCredential("Bearer surge_alice");

    CliRun run =
        surge(
            Map.of("SURGE_TOKEN", "surge_mallory"),
            "submit",
            "--kernel",
            kernel.toString(),
            "--tasks",
            "2");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr())
        .isEqualTo(
            "surge: not authenticated (HTTP 401); tried the API token in SURGE_TOKEN;"
                + " get an API token from a Surge operator (surge admin token create --user NAME)"
                + " and put it in SURGE_TOKEN or ~/.config/surge/token (chmod 600), or run surge"
                + " where munged runs (a Slurm node)\n")
        .doesNotContain("surge_mallory");
  }

  @Test
  void withNoCredentialAtAllThe401NamesEverythingThatWasTried() throws Exception {
    server.requireCredential("Bearer surge_alice");
    Path home = dir.resolve("home");

    CliRun run =
        surge(
            Map.of(
                "SURGE_TOKEN",
                "",
                "HOME",
                home.toString(),
                "SURGE_MUNGE_SOCKET",
                dir.resolve("no-munged.socket").toString()),
            "status",
            "j-000001");

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr().lines()).hasSize(1);
    assertThat(run.stderr())
        .startsWith(
            "surge: not authenticated (a credential is required); tried SURGE_TOKEN (not set), "
                + home.resolve(".config/surge/token")
                + " (none), SLURM_JWT (not set), MUNGE (munge -n --socket "
                + dir.resolve("no-munged.socket")
                + "), which failed: ")
        .contains("; get an API token from a Surge operator");
    assertThat(server.requests())
        .singleElement()
        .satisfies(r -> assertThat(r.authorization()).isNull());
  }

  @Test
  void aTokenFileOthersMayReadStopsTheCommandBeforeAnyRequest() throws Exception {
    Path home = dir.resolve("home");
    Path file = home.resolve(".config/surge/token");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "surge_alice\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

    CliRun run = surge(Map.of("SURGE_TOKEN", "", "HOME", home.toString()), "jobs");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr())
        .isEqualTo(
            "surge: the token file "
                + file
                + " may be read by others (mode rw-r-----), so it is not used: run chmod 600 "
                + file
                + "\n");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void aForbiddenAnswerSaysWhichCredentialWasNotEnough() {
    server.requireCredential("Bearer surge_alice");
    server
        .admin()
        .knows(
            "Bearer surge_alice", new surge.client.FakeAdminApi.Caller("alice", "user", "token"));

    CliRun run = surge(Map.of("SURGE_TOKEN", "surge_alice"), "admin", "token", "list");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr())
        .isEqualTo("surge: not allowed (operators only) with the API token in SURGE_TOKEN\n");
  }
}
