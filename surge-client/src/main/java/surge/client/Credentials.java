package surge.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the client's credential comes from, first found wins:
 *
 * <ol>
 *   <li>{@code SURGE_TOKEN}: an API token from an operator (or a Slurm JWT), as {@code Bearer};
 *   <li>the token file {@code ~/.config/surge/token} ({@code $XDG_CONFIG_HOME/surge/token} when
 *       that is set), refused when group or others may read it, as ssh refuses a private key;
 *   <li>{@code SLURM_JWT}, as Slurm's own clients read it ({@code export $(scontrol token)}), as
 *       {@code Bearer};
 *   <li>MUNGE: {@code munge -n} for every request, on {@code SURGE_MUNGE_SOCKET} when set.
 * </ol>
 *
 * The secret is never part of a message.
 */
public final class Credentials {
  public static final String TOKEN_ENV = "SURGE_TOKEN";
  public static final String JWT_ENV = "SLURM_JWT";
  public static final String MUNGE_SOCKET_ENV = "SURGE_MUNGE_SOCKET";

  /** Group and other bits: any of them makes a token file unusable. */
  private static final Set<PosixFilePermission> SHARED =
      EnumSet.complementOf(
          EnumSet.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE));

  private Credentials() {}

  /** The token file for this environment: {@code $XDG_CONFIG_HOME} or {@code $HOME/.config}. */
  public static Path tokenFile(Map<String, String> env) {
    String config = env.get("XDG_CONFIG_HOME");
    if (config == null || config.isBlank() || !Path.of(config).isAbsolute()) {
      String home = env.get("HOME");
      if (home == null || home.isBlank()) {
        home = System.getProperty("user.home");
      }
      return Path.of(home, ".config", "surge", "token");
    }
    return Path.of(config, "surge", "token");
  }

  /** The credential of the process with environment {@code env}. */
  public static Credential resolve(Map<String, String> env) throws CredentialException {
    return resolve(env, "munge");
  }

  /** As {@link #resolve(Map)}, with another program in place of {@code munge} (tests). */
  static Credential resolve(Map<String, String> env, String munge) throws CredentialException {
    Optional<String> token = value(env, TOKEN_ENV);
    if (token.isPresent()) {
      return Credential.bearer(
          checked(token.get(), TOKEN_ENV),
          "the API token in " + TOKEN_ENV,
          Optional.of("bearer-env:" + TOKEN_ENV));
    }
    Path file = tokenFile(env);
    Optional<String> fromFile = readTokenFile(file);
    if (fromFile.isPresent()) {
      return Credential.bearer(
          fromFile.get(), "the API token in " + file, Optional.of("bearer-file:" + file));
    }
    // "daemon" is slurmrestd's own setting, not a token.
    Optional<String> jwt = value(env, JWT_ENV).filter(v -> !v.equals("daemon"));
    if (jwt.isPresent()) {
      return Credential.bearer(
          checked(jwt.get(), JWT_ENV),
          "the Slurm JWT in " + JWT_ENV,
          Optional.of("bearer-env:" + JWT_ENV));
    }
    String passedOver = TOKEN_ENV + " (not set), " + file + " (none), " + JWT_ENV + " (not set), ";
    return new MungeCredential(munge, value(env, MUNGE_SOCKET_ENV), passedOver);
  }

  private static Optional<String> value(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }

  private static Optional<String> readTokenFile(Path file) throws CredentialException {
    byte[] bytes;
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      if (mode.stream().anyMatch(SHARED::contains)) {
        throw new CredentialException(
            "the token file "
                + file
                + " may be read by others (mode "
                + PosixFilePermissions.toString(mode)
                + "), so it is not used: run chmod 600 "
                + file);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (UnsupportedOperationException e) {
      // A file system without POSIX modes: nothing to check.
      return readQuietly(file);
    } catch (IOException e) {
      throw new CredentialException("cannot read the token file " + file + ": " + e.getMessage());
    }
    String token = new String(bytes, StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) {
      throw new CredentialException(
          "the token file " + file + " is empty: write the token from an operator into it");
    }
    return Optional.of(checked(token, "the token file " + file));
  }

  private static Optional<String> readQuietly(Path file) throws CredentialException {
    try {
      return Optional.of(checked(Files.readString(file).strip(), "the token file " + file));
    } catch (IOException e) {
      throw new CredentialException("cannot read the token file " + file + ": " + e.getMessage());
    }
  }

  /**
   * A token is one word of printable ASCII (API tokens and JWTs both are); anything else would be a
   * pasted line with its neighbours, or an attempt to add a header.
   */
  private static String checked(String token, String source) throws CredentialException {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c >= 0x7F) {
        throw new CredentialException(
            source
                + " is not one token: character "
                + (i + 1)
                + " is a blank, a control character or not ASCII (a token is one word, such as"
                + " surge_...)");
      }
    }
    return token;
  }
}
