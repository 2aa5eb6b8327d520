package surge.identity.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a real munged of the test's own (platform.md: root, a private directory, a 755 socket
 * folder), stopped by its pid.
 */
class MungeTest {
  static Path dir;
  static Path socket;
  static long pid;

  @BeforeAll
  static void startMunged() throws Exception {
    dir = Files.createTempDirectory("surge-munge");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    socket = dir.resolve("munge.socket");
    run("mungekey", "--create", "--keyfile=" + dir.resolve("key"));
    run(
        "munged",
        "--key-file=" + dir.resolve("key"),
        "--socket=" + socket,
        "--pid-file=" + dir.resolve("pid"),
        "--log-file=" + dir.resolve("log"),
        "--seed-file=" + dir.resolve("seed"));
    pid = Long.parseLong(Files.readString(dir.resolve("pid")).strip());
  }

  @AfterAll
  static void stopMunged() {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
  }

  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", List.of(command), out).isZero();
    return out;
  }

  static String credential(String... extra) throws Exception {
    var command = new java.util.ArrayList<>(List.of("munge", "--socket=" + socket, "--no-input"));
    command.addAll(List.of(extra));
    return run(command.toArray(String[]::new)).strip();
  }

  final Munge munge = Munge.of(Optional.of(socket));

  @Test
  void aFreshCredentialNamesTheUserWhoMadeIt() throws Exception {
    Caller c = munge.decode(credential());
    assertThat(c.name()).isEqualTo(System.getProperty("user.name"));
    assertThat(c.via()).isEqualTo("munge");
    assertThat(c.role()).isEqualTo(Caller.Role.USER);
  }

  @Test
  void aStatusPastIntsRangeIsRefusedNotReadAsASuccess() {
    // Found by CredentialsFuzzTest: 2^32 became status 0 with no uid.
    assertThatThrownBy(() -> Munge.parse("STATUS:4294967296\n"))
        .isInstanceOf(CredentialRefused.class)
        .hasMessageContaining("STATUS");
  }

  @Test
  void aReplayedCredentialIsRefused() throws Exception {
    String c = credential();
    munge.decode(c);
    assertThatThrownBy(() -> munge.decode(c)).hasMessageContaining("replayed");
  }

  @Test
  void anExpiredCredentialIsRefused() throws Exception {
    String c = credential("--ttl=1");
    Thread.sleep(2_200);
    assertThatThrownBy(() -> munge.decode(c)).hasMessageContaining("expired");
  }

  @Test
  void aForgedOrAlteredCredentialIsRefused() throws Exception {
    String c = credential();
    int mid = c.length() / 2;
    String altered =
        c.substring(0, mid) + (c.charAt(mid) == 'A' ? 'B' : 'A') + c.substring(mid + 1);
    assertThatThrownBy(() -> munge.decode(altered)).isInstanceOf(CredentialRefused.class);
    assertThatThrownBy(() -> munge.decode("MUNGE:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB:"))
        .isInstanceOf(CredentialRefused.class);
    assertThatThrownBy(() -> munge.decode("not a credential")).hasMessageContaining("not a MUNGE");
    assertThatThrownBy(() -> munge.decode("MUNGE:" + "A".repeat(5000) + ":"))
        .hasMessageContaining("not a MUNGE");
  }

  @Test
  void aPayloadThatLooksLikeMetadataCannotPassForRoot() throws Exception {
    // munge -s puts a payload in the credential; unmunge would print it with the metadata.
    String c = credential("--string=STATUS: 0\nUID: 12345\n");
    Caller caller = munge.decode(c);
    assertThat(caller.name()).isEqualTo(System.getProperty("user.name"));
  }

  @Test
  void aCredentialFromAnotherClustersKeyIsRefused() throws Exception {
    Path other = Files.createTempDirectory("surge-munge-other");
    try {
      Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwxr-xr-x"));
      run("mungekey", "--create", "--keyfile=" + other.resolve("key"));
      run(
          "munged",
          "--key-file=" + other.resolve("key"),
          "--socket=" + other.resolve("s"),
          "--pid-file=" + other.resolve("pid"),
          "--log-file=" + other.resolve("log"),
          "--seed-file=" + other.resolve("seed"));
      String foreign = run("munge", "--socket=" + other.resolve("s"), "--no-input").strip();
      assertThatThrownBy(() -> munge.decode(foreign)).hasMessageContaining("Invalid credential");
    } finally {
      long otherPid = Long.parseLong(Files.readString(other.resolve("pid")).strip());
      ProcessHandle.of(otherPid).ifPresent(ProcessHandle::destroy);
    }
  }

  @Test
  void withoutASocketMungeIsOff() {
    var off = Munge.of(Optional.empty());
    assertThat(off.enabled()).isFalse();
    assertThatThrownBy(() -> off.decode("MUNGE:abc:")).hasMessageContaining("not configured");
  }

  @Test
  void aMungedThatDoesNotAnswerTimesOut() {
    var dead =
        new Munge(
            Optional.of(dir.resolve("no-such-socket")),
            "unmunge",
            Duration.ofSeconds(5),
            Munge::passwd);
    assertThatThrownBy(() -> dead.decode("MUNGE:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB:"))
        .isInstanceOf(CredentialRefused.class);
  }

  @Test
  void unmungeOutputIsReadFieldByField() throws Exception {
    assertThat(Munge.parse("STATUS:          0\nUID:             1000\nGID:             100\n"))
        .isEqualTo(new Munge.Decoded(0, 1000, 100));
    assertThat(Munge.parse("STATUS: 17\nUID: 0\nGID: 0\n").status()).isEqualTo(17);
    assertThatThrownBy(() -> Munge.parse("unmunge: Error: Failed to match armor prefix\n"))
        .isInstanceOf(CredentialRefused.class);
    assertThatThrownBy(() -> Munge.parse("STATUS: 0\n")).hasMessageContaining("no UID");
    assertThat(
            Munge.nameIn("root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/h:/bin/sh\n", 1000))
        .contains("alice");
    assertThat(Munge.nameIn("root:x:0:0:root:/root:/bin/bash\n", 1000)).isEmpty();
  }
}
