package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.FakeAdminApi.Caller;
import surge.client.FakeSurgeServer;
import surge.client.Sha256;

/** {@code surge admin ...} and {@code surge whoami} against the contract's endpoints, faked. */
class AdminCommandsTest {
  private static final String OPERATOR = "surge_operator";

  @TempDir Path dir;
  private FakeSurgeServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeSurgeServer();
    server.admin().knows("Bearer " + OPERATOR, new Caller("root", "operator", "token"));
    server.admin().knows("Bearer " + CliRun.TOKEN, new Caller("alice", "user", "token"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private CliRun admin(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "admin";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--server=" + server.uri();
    return CliRun.run(Map.of("SURGE_TOKEN", OPERATOR), all);
  }

  @Test
  void tokenCreatePrintsTheTokenAloneOnStdoutAndTheRestOnStderr() {
    CliRun run = admin("token", "create", "--user", "alice", "--role", "user", "--expires", "90d");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo("surge_secrett-1\n");
    assertThat(run.stderr())
        .startsWith("surge: created API token t-1 for alice (role user, expires never).")
        .doesNotContain("surge_secret");
    var sent = server.requests("POST", "/api/admin/tokens").get(0).json();
    assertThat(sent.path("user").asText()).isEqualTo("alice");
    assertThat(sent.path("role").asText()).isEqualTo("user");
    assertThat(sent.path("expires").asText()).isEqualTo("90d");
  }

  @Test
  void tokenCreateRefusesAnUnknownRoleOrABadLifetimeBeforeAsking() {
    CliRun role = admin("token", "create", "--user", "alice", "--role", "admin");
    CliRun expires =
        admin("token", "create", "--user", "alice", "--role", "user", "--expires", "soon");

    assertThat(role.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(role.stderr()).contains("--role").contains("user, operator");
    assertThat(expires.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(expires.stderr()).contains("--expires: expected a duration like 30m");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void tokenListIsATableWithoutSecretsAndRevokeRemoves() {
    admin("token", "create", "--user", "alice", "--role", "user");
    admin("token", "create", "--user", "ops\u001b[2J", "--role", "operator");

    CliRun list = admin("token", "list");
    CliRun revoke = admin("token", "revoke", "t-1");
    CliRun after = admin("token", "list");

    assertThat(list.exitCode()).isZero();
    assertThat(list.stdout().lines().toList())
        .first()
        .asString()
        .matches("ID +USER +ROLE +STATE +CREATED +BY +EXPIRES");
    assertThat(list.stdout()).contains("alice").doesNotContain("surge_secret");
    assertThat(revoke.stdout()).isEqualTo("revoked API token t-1\n");
    assertThat(after.stdout()).doesNotContain("alice");
    assertThat(server.requests("DELETE", "/api/admin/tokens/t-1")).hasSize(1);
  }

  @Test
  void theTablesEscapeWhatOthersWrote() {
    server.admin().plant("tokens", "t-9").put("user", "eve\u001b[2J\u202E\nroot");

    CliRun list = admin("token", "list");

    assertThat(list.stdout()).doesNotContain("\u001b", "\u202E").contains("eve\\u001b[2J");
    assertThat(list.stdout().lines()).hasSize(2);
  }

  @Test
  void volunteerKeysAreCreatedListedAndRevoked() {
    CliRun create = admin("volunteer-key", "create", "--trusted", "--name", "node-1");
    CliRun list = admin("volunteer-key", "list");
    CliRun revoke = admin("volunteer-key", "revoke", "k-1");

    assertThat(create.exitCode()).as(create.stderr()).isZero();
    assertThat(create.stdout()).isEqualTo("surgevk_secretk-1\n");
    assertThat(create.stderr()).contains("volunteer key k-1 for 'node-1' (trusted)");
    assertThat(
            server
                .requests("POST", "/api/admin/volunteer-keys")
                .get(0)
                .json()
                .path("trusted")
                .asBoolean())
        .isTrue();
    assertThat(list.stdout()).contains("node-1").contains("true").doesNotContain("secret");
    assertThat(revoke.stdout()).isEqualTo("revoked volunteer key k-1\n");
  }

  @Test
  void kernelsAreApprovedBySha256OrByFileListedAndRevoked() throws Exception {
    Path wasm = Files.write(dir.resolve("pi.wasm"), new byte[] {0, 0x61, 0x73, 0x6d, 1, 0, 0, 0});
    String sha = Sha256.of(wasm);

    CliRun byFile = admin("kernel", "approve", wasm.toString(), "--note", "reviewed pi.c");
    CliRun bySha = admin("kernel", "approve", "A".repeat(64), "--note", "by hash");
    CliRun list = admin("kernel", "list");
    CliRun revoke = admin("kernel", "revoke", sha);

    assertThat(byFile.exitCode()).as(byFile.stderr()).isZero();
    assertThat(byFile.stdout()).isEqualTo("approved kernel " + sha + ": reviewed pi.c\n");
    assertThat(
            server
                .requests("PUT", "/api/admin/kernels/" + sha + "/approval")
                .get(0)
                .json()
                .path("note")
                .asText())
        .isEqualTo("reviewed pi.c");
    assertThat(bySha.stdout()).startsWith("approved kernel " + "a".repeat(64));
    assertThat(list.stdout()).contains(sha).contains("root").contains("reviewed pi.c");
    assertThat(revoke.stdout()).isEqualTo("revoked the approval of kernel " + sha + "\n");
    assertThat(server.admin().approvals()).containsOnlyKeys("a".repeat(64));
  }

  @Test
  void approvingSomethingThatIsNeitherAHashNorAFileNamesTheArgument() {
    CliRun run = admin("kernel", "approve", "nope.wasm", "--note", "x");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr())
        .contains("KERNEL: neither a sha256 (64 hex digits) nor a readable file: 'nope.wasm'");
  }

  @Test
  void auditPrintsTheNdjsonWithControlCharactersEscaped() {
    server.admin().audit("{\"action\":\"approve\",\"by\":\"root\"}");
    server.admin().audit("{\"action\":\"submit\",\"name\":\"x\u202Ey\"}");

    CliRun run = admin("audit");

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout())
        .isEqualTo(
            "{\"action\":\"approve\",\"by\":\"root\"}\n"
                + "{\"action\":\"submit\",\"name\":\"x\\u202ey\"}\n");
  }

  @Test
  void whoamiSaysWhoTheServerTakesTheCallerFor() {
    CliRun run = CliRun.run(Map.of(), "whoami", "--server=" + server.uri());

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout()).isEqualTo("alice (role user, via token)\n");
  }

  @Test
  void aUserIsRefusedTheAdminCommandsByTheServer() {
    CliRun run = CliRun.run(Map.of(), "admin", "kernel", "list", "--server=" + server.uri());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr())
        .isEqualTo("surge: not allowed (operators only) with the API token in SURGE_TOKEN\n");
  }

  @Test
  void adminWithoutACommandIsAUsageError() {
    CliRun run = CliRun.run("admin", "token");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.stderr()).startsWith("surge admin token: missing a command");
  }
}
