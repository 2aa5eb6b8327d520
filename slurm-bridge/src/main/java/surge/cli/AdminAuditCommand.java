package surge.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import surge.client.ControlCharacters;

/** {@code surge admin audit}: the audit log, one JSON record per line. */
@Command(
    name = "audit",
    description = {
      "Prints the audit log as the server keeps it, one JSON record per line (NDJSON): who",
      "submitted, cancelled, approved or revoked what, and when."
    })
final class AdminAuditCommand extends AdminCall {
  @Override
  public Integer call() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    api().audit(log);
    String text = log.toString(StandardCharsets.UTF_8);
    // Records quote what users wrote; escapes keep each line the same JSON.
    shell().out().print(ControlCharacters.escapeKeepingLines(text));
    if (!text.isEmpty() && !text.endsWith("\n")) {
      shell().out().println();
    }
    shell().out().flush();
    return ExitCodes.OK;
  }
}
