package surge.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import surge.client.SurgeApiException;
import surge.client.SurgeClient;
import surge.client.SurgeUnreachableException;

/**
 * Writes a job's result to stdout or a file, as bytes. A file appears whole or not at all: the
 * download goes to a temporary file beside it that is moved into place at the end.
 */
final class ResultWriter {
  private ResultWriter() {}

  static long write(SurgeClient client, String jobId, Optional<Path> output, OutputStream stdout)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    if (output.isEmpty()) {
      long size = client.result(jobId, stdout);
      stdout.flush();
      return size;
    }
    Path target = output.get().toAbsolutePath();
    // Not Files.createTempFile: that makes the file private (0600); a result keeps the umask.
    Path partial =
        target.resolveSibling(
            "." + target.getFileName() + ".surge-" + ProcessHandle.current().pid() + ".part");
    try {
      long size;
      try (OutputStream file = Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW)) {
        size = client.result(jobId, file);
      }
      try {
        Files.move(
            partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return size;
    } finally {
      Files.deleteIfExists(partial);
    }
  }
}
