package surge.identity.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The first credential: without SURGE_ADMIN_TOKEN, the server makes an operator token on its first
 * start and writes it to {@code $SURGE_DATA_DIR/admin-token}, readable by the server's user alone.
 * A file whose token this database never issued (a fresh database) is replaced; one whose token was
 * revoked is left alone, so revoking it stays final.
 */
public final class AdminTokenFile {
  public static final String NAME = "admin-token";

  private AdminTokenFile() {}

  /** Checks SURGE_ADMIN_TOKEN's shape: a token an attacker cannot guess. */
  public static void checkGiven(String token) {
    if (!ApiTokens.looksLike(token) || token.length() < PREFIX_AND_32) {
      throw new IllegalArgumentException(
          "SURGE_ADMIN_TOKEN must start with surge_ and have at least 32 characters after it");
    }
  }

  private static final int PREFIX_AND_32 = ApiTokens.PREFIX.length() + 32;

  /**
   * Makes sure the file holds a token this server knows; answers the file's path when it wrote one
   * now.
   */
  public static Optional<Path> ensure(Path dataDir, ApiTokens tokens) {
    Path file = dataDir.resolve(NAME);
    try {
      if (Files.isRegularFile(file)) {
        String existing = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (tokens.known(existing)) {
          return Optional.empty();
        }
      }
      var issued = tokens.create("admin", Caller.Role.OPERATOR, Optional.empty(), "first start");
      Files.createDirectories(dataDir);
      Path temp = Files.createTempFile(dataDir, NAME, ".tmp");
      try {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(temp, issued.token() + "\n", StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
      return Optional.of(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the operator token to " + file, e);
    }
  }
}
