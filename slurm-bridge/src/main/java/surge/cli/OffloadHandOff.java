package surge.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code surge offload} hands to {@code surge-wait} (slurm-bridge/src/main/c), the small
 * process that waits for the job instead of this JVM, so that a waiting Slurm job costs about 1 MB
 * rather than a JVM's 100 MB. surge-wait runs this JVM with {@link #ENV} naming a file; after
 * submitting, the JVM writes there what the wait needs (the job, the server, where the credential
 * comes from, the polling pace) and exits. surge-wait polls, prints the progress lines, keeps the
 * Comment, cancels on a signal, and runs {@code surge offload --resume FILE} when the job has ended
 * or the server says something only this JVM explains; that run exits {@link #WAIT_MORE} when the
 * job still runs. {@code FILE.over} (see {@link #markOver}) tells surge-wait that the JVM took
 * charge of the job (cancelled it on a signal, or saw it end), so it must not cancel it.
 *
 * <p>One {@code key=value} per line; values percent-encode {@code %}, CR and LF. No secret is
 * written: the credential is named by where it comes from ({@link
 * surge.client.Credential#origin()}).
 */
final class OffloadHandOff {
  static final String ENV = "SURGE_OFFLOAD_HANDOFF";

  /** {@code surge offload --resume}: the job has not ended, surge-wait goes on waiting. */
  static final int WAIT_MORE = 75;

  /**
   * What the wait needs.
   *
   * @param started when the wait began: the progress line's clock
   * @param auth the credential's {@link surge.client.Credential#origin()}
   */
  record Wait(
      String jobId,
      URI server,
      String auth,
      Instant started,
      Shell.Polling polling,
      Duration logInterval,
      Duration commentInterval,
      Duration scontrolTimeout,
      Duration cancelTimeout,
      Optional<String> slurmJob,
      boolean terminal,
      Optional<Path> output) {}

  private OffloadHandOff() {}

  /** The file surge-wait asked for, when this JVM runs under it. */
  static Optional<Path> requested(Shell shell) {
    return shell.env(ENV).map(Path::of);
  }

  /**
   * Whether surge-wait can talk to this server itself: http or https (libcurl, with the system's
   * certificate authorities), no user info, query or fragment.
   */
  static boolean reachable(URI server) {
    return ("http".equalsIgnoreCase(server.getScheme())
            || "https".equalsIgnoreCase(server.getScheme()))
        && server.getHost() != null
        && server.getRawUserInfo() == null
        && server.getRawQuery() == null
        && server.getRawFragment() == null;
  }

  /** Writes the file whole or not at all: surge-wait reads only a file that ends with end=1. */
  static void write(Path file, Wait w) throws IOException {
    StringBuilder text = new StringBuilder();
    line(text, "version", "1");
    line(text, "job", w.jobId());
    line(text, "server", w.server().toString());
    line(text, "auth", w.auth());
    line(text, "started-ms", "" + w.started().toEpochMilli());
    line(text, "interval-ms", "" + w.polling().interval().toMillis());
    line(text, "max-backoff-ms", "" + w.polling().maxBackoff().toMillis());
    line(text, "give-up-ms", "" + w.polling().giveUpAfter().toMillis());
    line(text, "log-interval-ms", "" + w.logInterval().toMillis());
    line(text, "comment-interval-ms", "" + w.commentInterval().toMillis());
    line(text, "scontrol-timeout-ms", "" + w.scontrolTimeout().toMillis());
    line(text, "cancel-timeout-ms", "" + w.cancelTimeout().toMillis());
    w.slurmJob().ifPresent(id -> line(text, "slurm-job", id));
    line(text, "terminal", w.terminal() ? "1" : "0");
    w.output().ifPresent(p -> line(text, "output", p.toAbsolutePath().toString()));
    line(text, "end", "1");
    Path partial = file.resolveSibling(file.getFileName() + ".part");
    Files.writeString(partial, text, StandardCharsets.UTF_8);
    try {
      Files.move(
          partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Reads a file {@link #write} wrote; an incomplete one is an {@link IOException}. */
  static Wait read(Path file) throws IOException {
    Map<String, String> v = new HashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        v.put(line.substring(0, eq), decode(line.substring(eq + 1)));
      }
    }
    if (!"1".equals(v.get("end")) || !v.containsKey("job") || !v.containsKey("server")) {
      throw new IOException("the hand-off file " + file + " is incomplete");
    }
    try {
      return new Wait(
          v.get("job"),
          URI.create(v.get("server")),
          v.getOrDefault("auth", "none"),
          Instant.ofEpochMilli(Long.parseLong(v.get("started-ms"))),
          new Shell.Polling(
              millis(v, "interval-ms"), millis(v, "max-backoff-ms"), millis(v, "give-up-ms")),
          millis(v, "log-interval-ms"),
          millis(v, "comment-interval-ms"),
          millis(v, "scontrol-timeout-ms"),
          millis(v, "cancel-timeout-ms"),
          Optional.ofNullable(v.get("slurm-job")),
          "1".equals(v.get("terminal")),
          Optional.ofNullable(v.get("output")).map(Path::of));
    } catch (RuntimeException e) {
      throw new IOException("the hand-off file " + file + " is unreadable: " + e.getMessage(), e);
    }
  }

  /** Tells surge-wait that this JVM took charge of the job: it must not cancel it. */
  static void markOver(Path file) {
    try {
      Files.write(file.resolveSibling(file.getFileName() + ".over"), new byte[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Duration millis(Map<String, String> v, String key) {
    return Duration.ofMillis(Long.parseLong(v.get(key)));
  }

  private static void line(StringBuilder text, String key, String value) {
    text.append(key).append('=').append(encode(value)).append('\n');
  }

  static String encode(String value) {
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  static String decode(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length()) {
        out.append((char) Integer.parseInt(value.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
