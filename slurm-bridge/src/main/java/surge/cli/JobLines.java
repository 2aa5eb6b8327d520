package surge.cli;

import java.util.Optional;
import java.util.stream.Collectors;
import surge.client.ControlCharacters;
import surge.client.JobStatus;
import surge.client.JobStatus.Failure;
import surge.client.JobStatus.TaskCounts;

/**
 * How jobs read to people: one-line summaries and failure reports. Everything the server sends
 * (ids, names, reasons, a volunteer's stderr) is escaped here, since it may be another party's
 * text: a job name with ESC[2J or U+202E must not act on the terminal.
 */
final class JobLines {
  private JobLines() {}

  /** {@code j-000042 montecarlo-pi: RUNNING, 8/16 tasks done (4 queued, 4 leased, 0 failed)} */
  static String summary(JobStatus status) {
    TaskCounts t = status.tasks();
    StringBuilder line = new StringBuilder(safe(status.id()));
    status.label().ifPresent(name -> line.append(' ').append(safe(name)));
    line.append(": ").append(status.state());
    line.append(", ").append(t.done()).append('/').append(t.total()).append(" tasks done");
    line.append(" (").append(t.queued()).append(" queued, ").append(t.leased()).append(" leased, ");
    line.append(t.failed()).append(" failed)");
    status.failure().ifPresent(f -> line.append(": ").append(safe(f.message())));
    return line.toString();
  }

  /**
   * {@code verification: verified: 720 tasks, 1.18× work, 3 disagreements, 1 volunteer
   * blacklisted}: the server's summary as sent; empty when it sent none.
   */
  static Optional<String> verification(JobStatus status) {
    return status.verificationSummary().map(summary -> "verification: " + safe(summary));
  }

  /**
   * {@code job j-000042 failed: task 3 exited with code 2}, then the task's stderr tail indented,
   * so the reason is on the first line and the detail below it.
   */
  static String failure(JobStatus status) {
    String reason =
        safe(status.failure().map(Failure::message).orElse("the server gave no reason").strip());
    String head = "job " + safe(status.id()) + " failed: " + reason;
    return status
        .failure()
        .flatMap(Failure::stderr)
        .map(tail -> head + "\n" + indent(tail))
        .orElse(head);
  }

  /** Several lines (a stderr tail), escaped but for newlines and tabs, each indented. */
  static String indent(String text) {
    return ControlCharacters.escapeKeepingLines(text.stripTrailing())
        .lines()
        .map(l -> "  " + l)
        .collect(Collectors.joining("\n"));
  }

  /** One line of server-supplied text, safe for a terminal. */
  static String safe(String text) {
    return ControlCharacters.escape(text);
  }
}
