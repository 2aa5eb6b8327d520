package surge.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The configuration file a site puts on its Slurm nodes so that jobs find the server without {@code
 * SURGE_SERVER}: {@code /etc/surge/surge.conf}, or the file {@code SURGE_CONFIG} names. It is a
 * Java properties file; the one key read so far is {@code server=http://host:8080}.
 */
final class SurgeConfig {
  static final String ENV = "SURGE_CONFIG";
  static final Path DEFAULT = Path.of("/etc/surge/surge.conf");
  static final String SERVER_KEY = "server";

  private final Path file;
  private final boolean named;

  private SurgeConfig(Path file, boolean named) {
    this.file = file;
    this.named = named;
  }

  /** The file {@code SURGE_CONFIG} names, else the default. */
  static SurgeConfig in(Map<String, String> env) {
    String named = env.get(ENV);
    return named == null || named.isBlank()
        ? new SurgeConfig(DEFAULT, false)
        : new SurgeConfig(Path.of(named.strip()), true);
  }

  Path file() {
    return file;
  }

  /**
   * The {@code server} the file gives; empty when the default file does not exist or gives none.
   *
   * @throws IllegalArgumentException when the file cannot be read, or {@code SURGE_CONFIG} names a
   *     file that does not exist; the message says which
   */
  Optional<String> server() {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException e) {
      if (named) {
        throw new IllegalArgumentException(ENV + " names " + file + ", which does not exist");
      }
      return Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + reason(e));
    }
    return Optional.ofNullable(properties.getProperty(SERVER_KEY))
        .map(String::strip)
        .filter(s -> !s.isEmpty());
  }

  private static String reason(Exception e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
