package surge.options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Problems with files named by the user, found before anything is sent. */
public final class FileChecks {
  private FileChecks() {}

  /** {@code cannot read kernel file 'k.wasm': no such file}, or empty when the file is readable. */
  static Optional<String> unreadable(String what, Path file) {
    String problem = null;
    if (!Files.exists(file)) {
      problem = "no such file";
    } else if (Files.isDirectory(file)) {
      problem = "it is a directory";
    } else if (!Files.isReadable(file)) {
      problem = "permission denied";
    }
    return Optional.ofNullable(problem).map(p -> "cannot read " + what + " '" + file + "': " + p);
  }

  /** Why {@code file} cannot be written (created or replaced), or empty when it can. */
  static Optional<String> unwritable(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (Files.isDirectory(file)) {
      return Optional.of("'" + file + "' is a directory");
    }
    if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
      return Optional.of("cannot write '" + file + "': no writable directory " + parent);
    }
    return Optional.empty();
  }

  public static void requireWritableDirectory(CommandLine command, String option, Path file) {
    Optional<String> problem = unwritable(file);
    if (problem.isPresent()) {
      throw new ParameterException(command, option + ": " + problem.get());
    }
  }
}
