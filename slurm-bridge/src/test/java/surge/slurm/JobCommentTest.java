package surge.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.JobState;
import surge.client.JobStatus;
import surge.client.JobStatus.TaskCounts;

class JobCommentTest {
  @TempDir Path dir;
  private FakeScontrol scontrol;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @BeforeEach
  void fake() throws Exception {
    scontrol = FakeScontrol.in(dir);
  }

  private JobComment comment(Map<String, String> env, Duration minInterval) {
    return new JobComment(
        SlurmJob.from(env, java.nio.file.Path.of("")),
        new SlurmClient(env, Duration.ofSeconds(10)),
        err,
        minInterval);
  }

  private static JobStatus status(JobState state, int done, int total) {
    return status(state, done, total, null);
  }

  private static JobStatus status(JobState state, int done, int total, String verification) {
    return new JobStatus(
        "j-1",
        null,
        state,
        new TaskCounts(total, 0, 0, done, 0),
        null,
        null,
        null,
        null,
        null,
        null,
        verification);
  }

  @Test
  void namesTheStateAndCounts() {
    assertThat(JobComment.progress(status(JobState.RUNNING, 312, 720))).isEqualTo("surge 312/720");
    assertThat(JobComment.progress(status(JobState.QUEUED, 0, 720)))
        .isEqualTo("surge queued 0/720");
    assertThat(JobComment.done(status(JobState.SUCCEEDED, 720, 720)))
        .isEqualTo("surge done 720/720");
    assertThat(JobComment.failed("task 3 exited with code 2"))
        .isEqualTo("surge failed: task 3 exited with code 2");
  }

  @Test
  void theVerificationSummaryFollowsTheCountsWhenTheServerSendsOne() {
    String summary = "verified: 720 tasks, 1.18× work, 3 disagreements, 1 volunteer blacklisted";
    assertThat(JobComment.progress(status(JobState.RUNNING, 312, 720, summary)))
        .isEqualTo("surge 312/720; " + summary);
    assertThat(JobComment.done(status(JobState.SUCCEEDED, 720, 720, summary)))
        .isEqualTo("surge done 720/720; " + summary);
    assertThat(JobComment.failed("too few distinct volunteers", Optional.of(summary)))
        .isEqualTo("surge failed: too few distinct volunteers; " + summary);
    assertThat(JobComment.failed("task 3 exited with code 2", Optional.empty()))
        .isEqualTo("surge failed: task 3 exited with code 2");
  }

  @Test
  void theLastSummarySeenIsKeptForTheFailure() throws Exception {
    try (JobComment comment = comment(scontrol.env("42"), Duration.ZERO)) {
      assertThat(comment.verification()).isEmpty();
      comment.update(status(JobState.RUNNING, 1, 4, "verified: 1 task, 1.00× work"));
      comment.update(status(JobState.FAILED, 1, 4));
      comment.last(JobComment.failed("deadline passed", comment.verification()));
      assertThat(comment.verification()).contains("verified: 1 task, 1.00× work");
    }

    assertThat(scontrol.argumentLines())
        .endsWith(
            "update|JobId=42|Comment=surge failed: deadline passed; verified: 1 task, 1.00×"
                + " work");
  }

  @Test
  void updatesAtMostOncePerIntervalAndAlwaysAtTheEnd() throws Exception {
    try (JobComment comment = comment(scontrol.env("42"), Duration.ofHours(1))) {
      comment.update(status(JobState.RUNNING, 1, 4));
      comment.update(status(JobState.RUNNING, 2, 4));
      comment.update(status(JobState.RUNNING, 3, 4));
      comment.last("surge done 4/4");
    }

    assertThat(scontrol.argumentLines())
        .containsExactly(
            "update|JobId=42|Comment=surge 1/4", "update|JobId=42|Comment=surge done 4/4");
  }

  @Test
  void anUnchangedStatusIsNotSentAgain() throws Exception {
    try (JobComment comment = comment(scontrol.env("42"), Duration.ZERO)) {
      comment.update(status(JobState.RUNNING, 1, 4));
      comment.last("surge 1/4");
      comment.update(status(JobState.RUNNING, 1, 4));
      comment.update(status(JobState.RUNNING, 1, 4));
      comment.last("surge done 4/4");
    }

    assertThat(scontrol.argumentLines())
        .containsExactly(
            "update|JobId=42|Comment=surge 1/4",
            "update|JobId=42|Comment=surge 1/4",
            "update|JobId=42|Comment=surge done 4/4");
  }

  @Test
  void outsideSlurmNothingIsUpdated() throws Exception {
    Map<String, String> env = scontrol.env("42");
    env.remove("SLURM_JOB_ID");

    try (JobComment comment = comment(env, Duration.ZERO)) {
      comment.update(status(JobState.RUNNING, 1, 4));
      comment.last("surge done 4/4");
    }

    assertThat(scontrol.calls()).isEmpty();
    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void failuresAreOneWarningAndNothingMore() throws Exception {
    scontrol.fail("slurm_update error: Invalid job id specified");

    try (JobComment comment = comment(scontrol.env("42"), Duration.ZERO)) {
      comment.update(status(JobState.RUNNING, 1, 4));
      comment.last("surge 1/4");
      comment.update(status(JobState.RUNNING, 2, 4));
      comment.last("surge done 4/4");
    }

    assertThat(scontrol.calls()).hasSize(4);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "surge: warning: cannot update the Slurm job's Comment (progress still goes to this"
                + " log): scontrol update JobId=42 Comment=surge 1/4: exited with 1:"
                + " slurm_update error: Invalid job id specified\n");
  }

  @Test
  void theCommentIsOneShortLine() {
    assertThat(JobComment.oneLine("surge failed: task 3 exited\n  with code 2\n"))
        .isEqualTo("surge failed: task 3 exited with code 2");
    assertThat(JobComment.oneLine("x".repeat(500))).hasSize(JobComment.MAX_LENGTH).endsWith("...");
  }

  @Test
  void theCommentCarriesNoControlCharactersSinceSqueuePrintsItRaw() {
    assertThat(JobComment.oneLine("surge failed: \u001b[2Jgone\u202Eexe.txt\u0000"))
        .isEqualTo("surge failed: \\u001b[2Jgone\\u202eexe.txt\\u0000");
  }
}
