package surge.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MUNGE credentials from a real munged (started here in a private directory, as
 * deploy/slurm/local-cluster.sh starts the cluster's, and stopped by its pid): what the client
 * sends decodes with {@code unmunge} to this process's uid, is fresh for every request, and is
 * refused when replayed.
 */
class MungeCredentialTest {
  @TempDir static Path dir;
  static Path socket;
  static Path pidFile;

  @BeforeAll
  static void startMunged() throws Exception {
    assumeTrue(
        new File("/usr/sbin/munged").canExecute() && new File("/usr/bin/munge").canExecute(),
        "munge is not installed (deploy/slurm/local-cluster.sh installs it)");
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    // munged refuses a socket directory others may write to; clients must reach it.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path key = dir.resolve("munge.key");
    exec("/usr/sbin/mungekey", "--create", "--keyfile=" + key);
    socket = run.resolve("munge.socket");
    pidFile = dir.resolve("munged.pid");
    exec(
        "/usr/sbin/munged",
        "--key-file=" + key,
        "--socket=" + socket,
        "--pid-file=" + pidFile,
        "--log-file=" + dir.resolve("munged.log"),
        "--seed-file=" + dir.resolve("munged.seed"));
  }

  @AfterAll
  static void stopMunged() throws Exception {
    if (pidFile != null && Files.exists(pidFile)) {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }
  }

  private static String exec(String... cmd) throws Exception {
    return fed(null, cmd).output();
  }

  private record Result(int exitCode, String output) {}

  private static Result fed(String stdin, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.US_ASCII));
      }
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static Result unmunge(String credential) throws Exception {
    return fed(credential, "/usr/bin/unmunge", "--socket=" + socket);
  }

  @Test
  void everyRequestCarriesAFreshCredentialOfThisUid() throws Exception {
    Credential credential =
        Credentials.resolve(
            Map.of(
                "HOME", dir.resolve("home").toString(), "SURGE_MUNGE_SOCKET", socket.toString()));
    try (FakeSurgeServer server = new FakeSurgeServer()) {
      SurgeClient client = new SurgeClient(server.uri(), credential);
      client.jobs(Optional.empty(), OptionalInt.empty());
      client.jobs(Optional.empty(), OptionalInt.empty());

      List<String> sent =
          server.requests().stream().map(FakeSurgeServer.Request::authorization).toList();
      assertThat(sent).hasSize(2).allSatisfy(h -> assertThat(h).startsWith("MUNGE MUNGE:"));
      assertThat(sent.get(0)).isNotEqualTo(sent.get(1));

      String first = sent.get(0).substring("MUNGE ".length());
      Result decoded = unmunge(first);
      assertThat(decoded.exitCode()).as(decoded.output()).isZero();
      String uid = exec("id", "-u").strip();
      assertThat(decoded.output()).containsPattern("UID:\\s+\\S+ \\(" + uid + "\\)");

      // The server's unmunge sees a credential once; a captured header is worth nothing after.
      Result replayed = unmunge(first);
      assertThat(replayed.exitCode()).isNotZero();
      assertThat(replayed.output()).contains("Replayed credential");
    }
  }

  @Test
  void aStoppedMungedMeansNoHeaderAndAReasonInTheDescription() throws Exception {
    Credential credential =
        Credentials.resolve(
            Map.of(
                "HOME",
                dir.resolve("home").toString(),
                "SURGE_MUNGE_SOCKET",
                dir.resolve("none.socket").toString()));

    assertThat(credential.authorization()).isEmpty();
    assertThat(credential.describe())
        .contains("MUNGE (munge -n --socket " + dir.resolve("none.socket") + "), which failed:")
        .contains("exit 6");
  }
}
