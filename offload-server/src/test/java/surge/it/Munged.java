package surge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A munged of a test's own, with its key, socket and pid in one directory (platform notes: the
 * socket's folder must be mode 755), started before the server that decodes its credentials and
 * stopped by pid.
 */
final class Munged implements AutoCloseable {
  private final Path dir;
  private final long pid;

  private Munged(Path dir, long pid) {
    this.dir = dir;
    this.pid = pid;
  }

  /** Starts a munged in {@code dir}, ending one a previous run left there. */
  static Munged start(Path dir) throws IOException, InterruptedException {
    if (Files.exists(dir.resolve("pid"))) {
      long old = Long.parseLong(Files.readString(dir.resolve("pid")).strip());
      ProcessHandle.of(old).ifPresent(ProcessHandle::destroy);
    }
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String f : List.of("key", "pid", "log", "seed", "munge.socket")) {
      Files.deleteIfExists(dir.resolve(f));
    }
    run("mungekey", "--create", "--keyfile=" + dir.resolve("key"));
    run(
        "munged",
        "--key-file=" + dir.resolve("key"),
        "--socket=" + dir.resolve("munge.socket"),
        "--pid-file=" + dir.resolve("pid"),
        "--log-file=" + dir.resolve("log"),
        "--seed-file=" + dir.resolve("seed"));
    return new Munged(dir, Long.parseLong(Files.readString(dir.resolve("pid")).strip()));
  }

  Path socket() {
    return dir.resolve("munge.socket");
  }

  /** A fresh credential of this process's uid ({@code munge -n}), with extra options. */
  String credential(String... extra) throws IOException, InterruptedException {
    var command = new ArrayList<>(List.of("munge", "--socket=" + socket(), "--no-input"));
    command.addAll(List.of(extra));
    return run(command.toArray(String[]::new));
  }

  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", List.of(command), out).isZero();
    return out.strip();
  }

  @Override
  public void close() {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
  }
}
