package surge.quotas.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import surge.config.Rate;
import surge.config.Settings;
import surge.identity.control.Caller;

class QuotasTest {
  private static final Caller ALICE = new Caller("alice", Caller.Role.USER, "token");
  private static final Caller ADMIN = new Caller("root", Caller.Role.OPERATOR, "token");

  /** Counts kept in maps, as the database would answer them. */
  static final class Counts implements Quotas.Usage {
    final Map<String, Long> jobs = new HashMap<>();
    final Map<String, Long> tasks = new HashMap<>();
    final Map<String, Long> inputs = new HashMap<>();
    final Map<String, Long> results = new HashMap<>();

    @Override
    public long unfinishedJobs(String user) {
      return jobs.getOrDefault(user, 0L);
    }

    @Override
    public long queuedTasks(String user) {
      return tasks.getOrDefault(user, 0L);
    }

    @Override
    public long inputBytes(String user) {
      return inputs.getOrDefault(user, 0L);
    }

    @Override
    public long resultBytes(String user) {
      return results.getOrDefault(user, 0L);
    }
  }

  private final Counts counts = new Counts();
  private final AtomicLong now = new AtomicLong();

  private Quotas quotas(String rate) {
    return new Quotas(new Settings.Quotas(2, 100, 1000, 5000, Rate.parse(rate)), counts, now::get);
  }

  /** A submission that stores a job: the counts grow as a stored job would make them. */
  private String submit(Quotas q, Caller c, long tasks) {
    q.rate(c, "job submissions");
    return q.submit(
        c,
        tasks,
        () -> {
          counts.jobs.merge(c.name(), 1L, Long::sum);
          counts.tasks.merge(c.name(), tasks, Long::sum);
          return "stored";
        });
  }

  @Test
  void theJobAfterTheLastPlaceIsRefusedWith429NamingTheQuota() {
    var q = quotas("off");
    assertThat(submit(q, ALICE, 1)).isEqualTo("stored");
    assertThat(submit(q, ALICE, 1)).isEqualTo("stored");
    var e = catchThrowableOfType(() -> submit(q, ALICE, 1), QuotaExceeded.class);
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.quota()).isEqualTo("jobs");
    assertThat(e.used()).isEqualTo(2);
    assertThat(e.limit()).isEqualTo(2);
    assertThat(e.retryAfter()).isEmpty();
    assertThat(e.getMessage()).contains("2 unfinished jobs", "SURGE_QUOTA_JOBS");
    assertThat(counts.jobs.get("alice")).as("nothing stored").isEqualTo(2);
  }

  @Test
  void tasksCountTheNewJobsTasksOnTopOfTheQueuedOnes() {
    var q = quotas("off");
    counts.tasks.put("alice", 60L);
    assertThat(submit(q, ALICE, 40)).isEqualTo("stored");
    counts.jobs.clear();
    var e = catchThrowableOfType(() -> submit(q, ALICE, 1), QuotaExceeded.class);
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.quota()).isEqualTo("tasks");
    assertThat(e.field()).contains("tasks");
    assertThat(e.used()).isEqualTo(100);
    assertThat(e.getMessage()).contains("1 tasks", "100 tasks", "SURGE_QUOTA_TASKS");
  }

  @Test
  void aHugeTaskCountDoesNotOverflowPastTheCheck() {
    var q = quotas("off");
    counts.tasks.put("alice", 50L);
    assertThatThrownBy(() -> submit(q, ALICE, Long.MAX_VALUE)).isInstanceOf(QuotaExceeded.class);
  }

  @Test
  void aSubmitWhileTheResultsAreFullIsRefusedWith413() {
    var q = quotas("off");
    counts.results.put("alice", 5000L);
    var e = catchThrowableOfType(() -> submit(q, ALICE, 1), QuotaExceeded.class);
    assertThat(e.status()).isEqualTo(413);
    assertThat(e.quota()).isEqualTo("resultBytes");
    assertThat(e.getMessage()).contains("SURGE_QUOTA_RESULT_BYTES");
  }

  @Test
  void uploadsPastTheStoredInputBytesAre413AndUpToTheLimitPass() {
    var q = quotas("off");
    counts.inputs.put("alice", 600L);
    assertThat(q.upload(ALICE, "input", 400, () -> "kept")).isEqualTo("kept");
    counts.inputs.put("alice", 1000L);
    var e =
        catchThrowableOfType(() -> q.upload(ALICE, "input", 1, () -> "kept"), QuotaExceeded.class);
    assertThat(e.status()).isEqualTo(413);
    assertThat(e.field()).contains("input");
    assertThat(e.quota()).isEqualTo("inputBytes");
    assertThat(e.used()).isEqualTo(1000);
    assertThat(e.limit()).isEqualTo(1000);
    assertThat(e.getMessage()).contains("SURGE_QUOTA_INPUT_BYTES");
  }

  @Test
  void aResultPastTheQuotaIsRefusedAtMergeForEveryOwner() {
    var q = quotas("off");
    counts.results.put("root", 4000L);
    assertThat(q.resultRefusal("root", 1000)).isEmpty();
    var refusal = q.resultRefusal("root", 1001);
    assertThat(refusal).hasValueSatisfying(e -> assertThat(e.quota()).isEqualTo("resultBytes"));
    assertThat(refusal.orElseThrow().getMessage()).contains("1001 bytes", "4000 bytes");
  }

  @Test
  void submissionsOverTheRateAre429WithRetryAfterInWholeSeconds() {
    var q = quotas("2/min");
    counts.jobs.put("alice", -100L); // only the rate matters here
    submit(q, ALICE, 1);
    submit(q, ALICE, 1);
    var e = catchThrowableOfType(() -> submit(q, ALICE, 1), QuotaExceeded.class);
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.quota()).isEqualTo("submits");
    assertThat(e.retryAfterSeconds()).contains(30L);
    assertThat(e.getMessage()).contains("SURGE_RATE_SUBMITS", "try again in 30 s");
    now.addAndGet(30_000_000_000L);
    assertThat(submit(q, ALICE, 1)).isEqualTo("stored");
  }

  @Test
  void operatorsAreExemptFromEveryCheckMadeWithTheirCredential() {
    var q = quotas("1/min");
    counts.jobs.put("root", 99L);
    counts.tasks.put("root", 999L);
    counts.inputs.put("root", 99_999L);
    counts.results.put("root", 99_999L);
    for (int i = 0; i < 5; i++) {
      assertThat(submit(q, ADMIN, 1000)).isEqualTo("stored");
      assertThat(q.upload(ADMIN, "input", 10_000, () -> "kept")).isEqualTo("kept");
    }
  }

  @Test
  void anotherUsersUseDoesNotCount() {
    var q = quotas("off");
    counts.jobs.put("bob", 2L);
    assertThat(submit(q, ALICE, 1)).isEqualTo("stored");
    assertThat(q.resultRefusal("alice", 5000)).isEqualTo(Optional.empty());
  }
}
