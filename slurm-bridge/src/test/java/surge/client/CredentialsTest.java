package surge.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the client's credential comes from (SURGE_TOKEN, the token file, SLURM_JWT, MUNGE, in that
 * order) and what goes on the wire, seen by a fake server.
 */
class CredentialsTest {
  @TempDir Path home;
  private FakeSurgeServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeSurgeServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private Path tokenFile(String content, String mode) throws Exception {
    Path file = home.resolve(".config/surge/token");
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  /** The Authorization header of one request made with {@code credential}. */
  private String sent(Credential credential) throws Exception {
    new SurgeClient(server.uri(), credential)
        .jobs(java.util.Optional.empty(), java.util.OptionalInt.empty());
    List<FakeSurgeServer.Request> requests = server.requests();
    return requests.get(requests.size() - 1).authorization();
  }

  @Test
  void surgeTokenComesFirstAsABearerToken() throws Exception {
    tokenFile("surge_fromfile\n", "rw-------");
    Credential c =
        Credentials.resolve(env("SURGE_TOKEN", "surge_fromenv", "SLURM_JWT", "a.b.c"), "false");

    assertThat(sent(c)).isEqualTo("Bearer surge_fromenv");
    assertThat(c.describe()).isEqualTo("the API token in SURGE_TOKEN").doesNotContain("fromenv");
  }

  @Test
  void theTokenFileComesNextWhenItsModeIsTheOwnersAlone() throws Exception {
    Path file = tokenFile("  surge_fromfile\n", "rw-------");

    Credential c = Credentials.resolve(env("SLURM_JWT", "a.b.c"), "false");

    assertThat(sent(c)).isEqualTo("Bearer surge_fromfile");
    assertThat(c.describe()).isEqualTo("the API token in " + file);
  }

  @Test
  void aTokenFileOthersMayReadIsRefusedAsSshRefusesAKey() throws Exception {
    Path file = tokenFile("surge_fromfile\n", "rw-r--r--");

    assertThatThrownBy(() -> Credentials.resolve(env(), "false"))
        .isInstanceOf(CredentialException.class)
        .hasMessage(
            "the token file "
                + file
                + " may be read by others (mode rw-r--r--), so it is not used: run chmod 600 "
                + file)
        .message()
        .doesNotContain("surge_fromfile");
  }

  @Test
  void aTokenFileTheGroupMayWriteIsRefusedToo() throws Exception {
    tokenFile("surge_fromfile\n", "rw--w----");

    assertThatThrownBy(() -> Credentials.resolve(env(), "false"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("mode rw--w----");
  }

  @Test
  void anEmptyTokenFileOrOneWithTwoLinesIsRefused() throws Exception {
    tokenFile("\n", "rw-------");
    assertThatThrownBy(() -> Credentials.resolve(env(), "false")).hasMessageContaining("is empty");

    tokenFile("surge_one\nsurge_two\n", "rw-------");
    assertThatThrownBy(() -> Credentials.resolve(env(), "false"))
        .hasMessageContaining("is not one token: character 10")
        .message()
        .doesNotContain("surge_one");
  }

  @Test
  void aTokenWithALineBreakCannotAddAHeader() {
    assertThatThrownBy(
            () -> Credentials.resolve(env("SURGE_TOKEN", "surge_x\r\nX-Evil: 1"), "false"))
        .isInstanceOf(CredentialException.class)
        .hasMessageStartingWith("SURGE_TOKEN is not one token: character 8");
  }

  @Test
  void xdgConfigHomeMovesTheTokenFile() throws Exception {
    Path config = home.resolve("xdg");
    Files.createDirectories(config.resolve("surge"));
    Path file = config.resolve("surge/token");
    Files.writeString(file, "surge_xdg");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));

    Credential c = Credentials.resolve(env("XDG_CONFIG_HOME", config.toString()), "false");

    assertThat(sent(c)).isEqualTo("Bearer surge_xdg");
  }

  @Test
  void slurmJwtComesAfterTheTokenFileAsSlurmsClientsReadIt() throws Exception {
    Credential c = Credentials.resolve(env("SLURM_JWT", "eyJh.eyJz.c2ln"), "false");

    assertThat(sent(c)).isEqualTo("Bearer eyJh.eyJz.c2ln");
    assertThat(c.describe()).isEqualTo("the Slurm JWT in SLURM_JWT");
  }

  @Test
  void slurmJwtDaemonIsSlurmrestdsSettingNotAToken() throws Exception {
    Credential c = Credentials.resolve(env("SLURM_JWT", "daemon"), "false");

    assertThat(c).isInstanceOf(MungeCredential.class);
  }

  @Test
  void withoutTokensMungeIsAskedForEveryRequest() throws Exception {
    // A stand-in for munge that prints a different credential on every call.
    Path counter = home.resolve("n");
    Path munge = home.resolve("fake-munge");
    Files.writeString(
        munge,
        "#!/bin/sh\n"
            + "n=$(cat '"
            + counter
            + "' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '"
            + counter
            + "'\n"
            + "echo \"MUNGE:cred$n:$*:\"\n");
    Files.setPosixFilePermissions(munge, PosixFilePermissions.fromString("rwx------"));

    Credential c =
        Credentials.resolve(env("SURGE_MUNGE_SOCKET", "/run/x/munge.socket"), munge.toString());

    assertThat(sent(c)).isEqualTo("MUNGE MUNGE:cred1:-n --socket /run/x/munge.socket:");
    assertThat(sent(c)).isEqualTo("MUNGE MUNGE:cred2:-n --socket /run/x/munge.socket:");
  }

  @Test
  void aFailingMungeSendsNoCredentialAndSaysWhatWasTried() throws Exception {
    Path file = Credentials.tokenFile(env());

    Credential c = Credentials.resolve(env(), "/nonexistent/munge");

    assertThat(sent(c)).isNull();
    assertThat(c.describe())
        .startsWith(
            "SURGE_TOKEN (not set), "
                + file
                + " (none), SLURM_JWT (not set), MUNGE (munge -n), which failed: munge -n could"
                + " not run: ");
  }

  @Test
  void a401SaysWhatWasTriedAndHowToGetACredentialWithoutTheToken() throws Exception {
    server.requireCredential("Bearer surge_good");
    Credential c = Credentials.resolve(env("SURGE_TOKEN", "surge_wrong"), "false");

    assertThatThrownBy(() -> sent(c))
        .isInstanceOfSatisfying(
            SurgeApiException.class,
            e ->
                assertThat(e.describe())
                    .isEqualTo(
                        "not authenticated (invalid credential); tried the API token in"
                            + " SURGE_TOKEN; "
                            + SurgeApiException.HOW_TO_GET_ONE)
                    .doesNotContain("surge_wrong"));
  }
}
