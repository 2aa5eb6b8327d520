package surge.slurmcommon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The golden vectors of {@code slurm-common/golden}: {@code commands/NAME/} holds a Slurm command
 * as captured from the real Slurm 22.05 daemons ({@code command}, {@code stdout}, {@code stderr},
 * {@code exit}); {@code scripts/NAME.sh} a job script. Each has an {@code expected} reading, one
 * {@code key=value} a line (a key may repeat).
 */
public final class Golden {
  /** The folder, from this module or from another one of the repository. */
  public static Path dir() {
    for (Path p : List.of(Path.of("golden"), Path.of("../slurm-common/golden"))) {
      if (Files.isDirectory(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("no slurm-common/golden from " + Path.of("").toAbsolutePath());
  }

  /** The captured commands, by name. */
  public static List<Path> commands() {
    return list(dir().resolve("commands"), Files::isDirectory);
  }

  /** The job scripts. */
  public static List<Path> scripts() {
    return list(dir().resolve("scripts"), p -> p.toString().endsWith(".sh"));
  }

  /** The expected reading: each key's values, in order. */
  public static Map<String, List<String>> expected(Path file) {
    Map<String, List<String>> values = new java.util.LinkedHashMap<>();
    for (String line : read(file).split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      values
          .computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>())
          .add(line.substring(eq + 1));
    }
    return values;
  }

  public static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> list(Path dir, java.util.function.Predicate<Path> which) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(which).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Golden() {}
}
