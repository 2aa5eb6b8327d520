package surge.identity.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.regex.Pattern;

/**
 * Decodes a MUNGE credential ({@code munge -n} output) with the local munged through {@code
 * unmunge}: the credential's uid becomes the caller's user name. munged itself refuses forged,
 * expired and replayed credentials (a credential decodes once), so nothing here keeps state.
 *
 * <p>The payload is sent to {@code /dev/null}: with payload and metadata on one stream, a
 * credential whose payload holds {@code UID: 0} could pass for root.
 */
public final class Munge {
  /** {@code MUNGE:} and base64, ending in {@code :}; real ones are about 100 to 200 characters. */
  private static final Pattern SHAPE = Pattern.compile("MUNGE:[A-Za-z0-9+/=]{16,4000}:");

  private static final int MAX_OUTPUT = 4096;

  private final Optional<Path> socket;
  private final String unmunge;
  private final Duration timeout;
  private final LongFunction<Optional<String>> userName;

  /**
   * @param socket munged's socket (SURGE_MUNGE_SOCKET); empty: MUNGE is off
   * @param unmunge the {@code unmunge} program
   * @param userName uid to user name ({@link #passwd})
   */
  public Munge(
      Optional<Path> socket,
      String unmunge,
      Duration timeout,
      LongFunction<Optional<String>> userName) {
    this.socket = socket;
    this.unmunge = unmunge;
    this.timeout = timeout;
    this.userName = userName;
  }

  public static Munge of(Optional<Path> socket) {
    return new Munge(socket, "unmunge", Duration.ofSeconds(5), Munge::passwd);
  }

  public boolean enabled() {
    return socket.isPresent();
  }

  /** The user who made {@code credential}; refused when munged does not vouch for it. */
  public Caller decode(String credential) throws CredentialRefused {
    if (socket.isEmpty()) {
      throw new CredentialRefused("MUNGE is not configured on this server (SURGE_MUNGE_SOCKET)");
    }
    String c = credential == null ? "" : credential.trim();
    if (!SHAPE.matcher(c).matches()) {
      throw new CredentialRefused("not a MUNGE credential (MUNGE:...:)");
    }
    Decoded d = run(c);
    if (d.status() != 0) {
      throw new CredentialRefused("MUNGE credential refused: " + statusText(d.status()));
    }
    String name =
        userName
            .apply(d.uid())
            .orElseThrow(() -> new CredentialRefused("uid " + d.uid() + " has no user name here"));
    return new Caller(name, Caller.Role.USER, "munge");
  }

  record Decoded(int status, long uid, long gid) {}

  private Decoded run(String credential) throws CredentialRefused {
    var command =
        List.of(
            unmunge,
            "--socket=" + socket.orElseThrow(),
            "--numeric",
            "--keys=STATUS,UID,GID",
            "--output=/dev/null");
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new CredentialRefused("MUNGE is unavailable: cannot run " + unmunge);
    }
    try (OutputStream in = p.getOutputStream()) {
      in.write(credential.getBytes(StandardCharsets.US_ASCII));
      in.write('\n');
    } catch (IOException e) {
      // unmunge may exit before reading everything; its status still says why.
    }
    try {
      // Waited for before reading: the few lines it writes fit the pipe, and a munged that hangs
      // must not hold this thread past the timeout.
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new CredentialRefused("MUNGE is unavailable: unmunge did not answer in " + timeout);
      }
      return parse(readBounded(p.getInputStream()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CredentialRefused("interrupted while decoding a MUNGE credential");
    } catch (IOException e) {
      throw new CredentialRefused("MUNGE is unavailable: " + e.getMessage());
    } finally {
      p.destroyForcibly();
    }
  }

  private static String readBounded(InputStream in) throws IOException {
    var out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    int n;
    while ((n = in.read(buffer)) > 0) {
      if (out.size() + n > MAX_OUTPUT) {
        throw new IOException("unmunge wrote more than " + MAX_OUTPUT + " bytes");
      }
      out.write(buffer, 0, n);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Reads {@code unmunge --numeric --keys=STATUS,UID,GID} output; unknown fields fail closed. */
  static Decoded parse(String output) throws CredentialRefused {
    Long status = null;
    Long uid = null;
    Long gid = null;
    for (String line : output.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      try {
        switch (key) {
          case "STATUS" -> status = Long.parseLong(value);
          case "UID" -> uid = Long.parseLong(value);
          case "GID" -> gid = Long.parseLong(value);
          default -> {
            // unmunge's own error lines ("unmunge: Error: ...") land here.
          }
        }
      } catch (NumberFormatException e) {
        throw new CredentialRefused("unmunge gave an unreadable " + key);
      }
    }
    if (status == null) {
      throw new CredentialRefused("MUNGE credential refused: " + output.strip());
    }
    // Found by CredentialsFuzzTest: a status past int's range (2^32) read as a success of uid -1.
    if (status < 0 || status > Integer.MAX_VALUE) {
      throw new CredentialRefused("unmunge gave an unreadable STATUS");
    }
    if (status == 0 && (uid == null || gid == null || uid < 0)) {
      throw new CredentialRefused("unmunge gave no UID");
    }
    return new Decoded(status.intValue(), uid == null ? -1 : uid, gid == null ? -1 : gid);
  }

  /** munge's error codes (munge_enum(3)) that a client can cause. */
  static String statusText(int status) {
    return switch (status) {
      case 7 -> "bad credential format";
      case 8 -> "bad credential version";
      case 9 -> "bad cipher type";
      case 10 -> "bad MAC type";
      case 11 -> "bad compression type";
      case 12 -> "bad realm";
      case 13 -> "invalid credential (not made by a munged with this cluster's key)";
      case 14 -> "invalid credential";
      case 15 -> "expired credential";
      case 16 -> "rewound credential (made in the future)";
      case 17 -> "replayed credential (each credential is good once)";
      case 18 -> "unauthorized";
      default -> "munge error " + status;
    };
  }

  /** The user name of {@code uid}: {@code getent passwd}, then /etc/passwd. */
  public static Optional<String> passwd(long uid) {
    try {
      Process p = new ProcessBuilder("getent", "passwd", Long.toString(uid)).start();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
        Optional<String> name = nameIn(readBounded(p.getInputStream()), uid);
        if (name.isPresent()) {
          return name;
        }
      }
      p.destroyForcibly();
    } catch (IOException e) {
      // No getent (a minimal container): /etc/passwd below.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    try {
      return nameIn(Files.readString(Path.of("/etc/passwd")), uid);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The name on the passwd line whose third field is {@code uid}. */
  static Optional<String> nameIn(String passwd, long uid) {
    for (String line : passwd.split("\n")) {
      String[] f = line.split(":", -1);
      if (f.length >= 3 && f[2].equals(Long.toString(uid)) && UserNames.valid(f[0])) {
        return Optional.of(f[0]);
      }
    }
    return Optional.empty();
  }
}
