package surge.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import surge.client.JobState;
import surge.client.JobStatus;
import surge.client.JobStatus.TaskCounts;
import surge.slurmcommon.script.Durations;

/**
 * Shows a waiting job's progress on stderr: {@code [#####.....] 312/720 tasks 43% 12.3 s}. On a
 * terminal the line redraws itself with {@code \r}; in a log file a plain line appears at most
 * every {@link #LOG_INTERVAL} (or the interval given), so logs stay short, and once more when the
 * job ends. An ended job's verification summary follows on a line of its own, so that a log keeps
 * how the result was verified beside the result.
 */
final class ProgressBar implements JobProgress {
  static final int WIDTH = 20;
  static final Duration LOG_INTERVAL = Duration.ofSeconds(2);

  private final PrintStream err;
  private final boolean terminal;
  private final Duration logInterval;
  private int drawnLength = -1;
  private Duration lastLogged;
  private String verification;

  ProgressBar(PrintStream err, boolean terminal) {
    this(err, terminal, LOG_INTERVAL);
  }

  /** {@code logInterval}: the least time between two plain lines when not on a terminal. */
  ProgressBar(PrintStream err, boolean terminal, Duration logInterval) {
    this.err = err;
    this.terminal = terminal;
    this.logInterval = logInterval;
  }

  @Override
  public void update(JobStatus status, Duration elapsed) {
    if (status.state().isEnded()) {
      verification = JobLines.verification(status).orElse(null);
    }
    String line = render(status, elapsed, WIDTH);
    if (terminal) {
      String padding = " ".repeat(Math.max(0, drawnLength - line.length()));
      err.print("\r" + line + padding);
      err.flush();
      drawnLength = line.length();
    } else if (lastLogged == null
        || status.state().isEnded()
        || elapsed.minus(lastLogged).compareTo(logInterval) >= 0) {
      err.println(line);
      lastLogged = elapsed;
    }
  }

  /**
   * Ends the redrawn line so that the next message starts on its own line, and says how an ended
   * job was verified.
   */
  @Override
  public void finish() {
    if (terminal && drawnLength >= 0) {
      err.println();
      drawnLength = -1;
    }
    if (verification != null) {
      err.println("surge: " + verification);
      err.flush();
      verification = null;
    }
  }

  static String render(JobStatus status, Duration elapsed, int width) {
    TaskCounts tasks = status.tasks();
    int total = Math.max(0, tasks.total());
    int done = Math.min(Math.max(0, tasks.done()), total);
    int filled = total == 0 ? 0 : (int) ((long) done * width / total);
    int percent = total == 0 ? 0 : (int) ((long) done * 100 / total);
    StringBuilder line = new StringBuilder();
    line.append('[').append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ");
    line.append(done).append('/').append(total).append(" tasks  ");
    line.append(percent).append("%  ");
    line.append(Durations.format(elapsed));
    if (status.state() != JobState.RUNNING) {
      line.append("  ").append(status.state().name().toLowerCase(Locale.ROOT));
    }
    return line.toString();
  }
}
