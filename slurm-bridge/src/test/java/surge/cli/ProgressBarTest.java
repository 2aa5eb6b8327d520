package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import surge.client.JobState;
import surge.client.JobStatus;
import surge.client.JobStatus.TaskCounts;

class ProgressBarTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private static JobStatus status(JobState state, int total, int done, int failed) {
    return verified(state, total, done, failed, null);
  }

  private static JobStatus verified(
      JobState state, int total, int done, int failed, String verification) {
    return new JobStatus(
        "j-1",
        null,
        state,
        new TaskCounts(total, 0, 0, done, failed),
        null,
        null,
        null,
        null,
        null,
        null,
        verification);
  }

  private static JobStatus running(int total, int done) {
    return status(JobState.RUNNING, total, done, 0);
  }

  private String written() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void rendersDoneTasksPercentAndElapsedTime() {
    String line = ProgressBar.render(running(720, 312), Duration.ofMillis(12_345), 10);

    assertThat(line).isEqualTo("[####......] 312/720 tasks  43%  12.3 s");
  }

  @Test
  void anEmptyAndAFullBar() {
    assertThat(ProgressBar.render(running(16, 0), Duration.ZERO, 8))
        .isEqualTo("[........] 0/16 tasks  0%  0.0 s");
    assertThat(ProgressBar.render(status(JobState.SUCCEEDED, 16, 16, 0), Duration.ofSeconds(75), 8))
        .isEqualTo("[########] 16/16 tasks  100%  1m15s  succeeded");
  }

  @Test
  void namesStatesOtherThanRunning() {
    assertThat(ProgressBar.render(status(JobState.QUEUED, 4, 0, 0), Duration.ZERO, 4))
        .endsWith("  queued");
    assertThat(ProgressBar.render(status(JobState.FAILED, 4, 1, 1), Duration.ZERO, 4))
        .isEqualTo("[#...] 1/4 tasks  25%  0.0 s  failed");
    assertThat(ProgressBar.render(running(4, 1), Duration.ZERO, 4)).endsWith("0.0 s");
  }

  @Test
  void neverOverflowsWhenCountsDisagree() {
    assertThat(ProgressBar.render(running(0, 0), Duration.ZERO, 4))
        .startsWith("[....] 0/0 tasks  0%");
    assertThat(ProgressBar.render(running(4, 9), Duration.ZERO, 4))
        .startsWith("[####] 4/4 tasks  100%");
  }

  @Test
  void onATerminalRedrawsOneLineAndBlanksWhatWasLonger() {
    ProgressBar bar = new ProgressBar(err, true);

    bar.update(status(JobState.QUEUED, 10, 0, 0), Duration.ofMillis(100));
    bar.update(running(10, 5), Duration.ofMillis(300));
    bar.finish();

    String first = "[" + ".".repeat(20) + "] 0/10 tasks  0%  0.1 s  queued";
    String second = "[" + "#".repeat(10) + ".".repeat(10) + "] 5/10 tasks  50%  0.3 s";
    assertThat(written())
        .isEqualTo(
            "\r"
                + first
                + "\r"
                + second
                + " ".repeat(first.length() - second.length())
                + System.lineSeparator());
  }

  @Test
  void inALogPrintsALineAtMostEveryTwoSeconds() {
    ProgressBar bar = new ProgressBar(err, false);

    for (int tenths = 0; tenths <= 45; tenths++) {
      bar.update(running(100, tenths), Duration.ofMillis(tenths * 100L));
    }
    bar.finish();

    assertThat(written()).doesNotContain("\r");
    assertThat(written().lines())
        .extracting(line -> line.substring(line.indexOf(']') + 2, line.indexOf(" tasks")))
        .containsExactly("0/100", "20/100", "40/100");
  }

  @Test
  void inALogTheEndOfTheJobIsAlwaysShown() {
    ProgressBar bar = new ProgressBar(err, false);

    bar.update(running(16, 0), Duration.ZERO);
    bar.update(status(JobState.SUCCEEDED, 16, 16, 0), Duration.ofMillis(300));
    bar.finish();

    assertThat(written().lines())
        .hasSize(2)
        .last()
        .asString()
        .contains("16/16")
        .endsWith("succeeded");
  }

  @Test
  void theEndedJobsVerificationFollowsTheLastLine() {
    ProgressBar bar = new ProgressBar(err, true);

    bar.update(verified(JobState.RUNNING, 4, 2, 0, "verified: 2 tasks so far"), Duration.ZERO);
    bar.update(
        verified(JobState.SUCCEEDED, 4, 4, 0, "verified: 4 tasks, 1.25× work, 1 disagreement"),
        Duration.ofSeconds(1));
    bar.finish();

    assertThat(written())
        .doesNotContain("so far")
        .endsWith(
            "succeeded"
                + System.lineSeparator()
                + "surge: verification: verified: 4 tasks, 1.25× work, 1 disagreement"
                + System.lineSeparator());
  }

  @Test
  void withoutASummaryNothingIsSaidAboutVerification() {
    ProgressBar bar = new ProgressBar(err, false);

    bar.update(status(JobState.SUCCEEDED, 4, 4, 0), Duration.ZERO);
    bar.finish();

    assertThat(written()).doesNotContain("verification");
    assertThat(written().lines()).hasSize(1);
  }

  @Test
  void finishingWithoutDrawingPrintsNothing() {
    new ProgressBar(err, true).finish();

    assertThat(written()).isEmpty();
  }
}
