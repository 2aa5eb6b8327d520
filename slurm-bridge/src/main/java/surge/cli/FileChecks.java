package surge.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Usage errors for files named on the command line, found before anything is sent. */
final class FileChecks {
  private FileChecks() {}

  static void requireReadable(CommandLine command, String option, String what, Path file) {
    String problem = null;
    if (!Files.exists(file)) {
      problem = "no such file";
    } else if (Files.isDirectory(file)) {
      problem = "it is a directory";
    } else if (!Files.isReadable(file)) {
      problem = "permission denied";
    }
    if (problem != null) {
      throw new ParameterException(
          command, option + ": cannot read " + what + " '" + file + "': " + problem);
    }
  }

  static void requireWritableDirectory(CommandLine command, String option, Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (Files.isDirectory(file)) {
      throw new ParameterException(command, option + ": '" + file + "' is a directory");
    }
    if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
      throw new ParameterException(
          command, option + ": cannot write '" + file + "': no writable directory " + parent);
    }
  }
}
