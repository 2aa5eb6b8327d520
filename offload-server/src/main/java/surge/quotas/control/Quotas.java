package surge.quotas.control;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import surge.config.Settings;
import surge.identity.control.Caller;

/**
 * Per-user limits, checked before the work is done: a job is refused before it is stored, an input
 * before its bytes are kept. Operators are exempt from every check made with their credential (they
 * run the centre; a stolen operator credential can do worse than fill a quota).
 *
 * <p>Each check and the store it guards run under the user's own lock, so two concurrent
 * submissions of one user cannot both take the last place (in this server; a second server on the
 * same database could overshoot by its requests in flight).
 */
public final class Quotas {
  /** What a user holds now, counted from the stored jobs, inputs and results. */
  public interface Usage {
    /** Jobs of the user that are queued, running or merging. */
    long unfinishedJobs(String user);

    /** Tasks not yet done over the user's queued and running jobs. */
    long queuedTasks(String user);

    /** Bytes of the inputs the user has stored. */
    long inputBytes(String user);

    /** Bytes of the merged results of the user's jobs. */
    long resultBytes(String user);
  }

  private final Settings.Quotas limits;
  private final Usage usage;
  private final Optional<TokenBucket> submits;
  private final ConcurrentMap<String, Object> locks = new ConcurrentHashMap<>();

  /**
   * @param nanos the monotonic clock of the submission rate ({@code System::nanoTime})
   */
  public Quotas(Settings.Quotas limits, Usage usage, LongSupplier nanos) {
    this.limits = limits;
    this.usage = usage;
    this.submits = limits.submits().map(rate -> new TokenBucket(rate, nanos));
  }

  /**
   * Takes one of the user's submission tokens, first thing for a job submission or a new upload,
   * before any work; throws {@link QuotaExceeded} (429 with a retry time) when none is left.
   */
  public void rate(Caller caller, String what) {
    if (!caller.operator()) {
      takeToken(caller, what);
    }
  }

  /**
   * Admits a job of {@code tasks} tasks and runs {@code store} (which stores it) under the user's
   * lock; throws {@link QuotaExceeded} instead when the user is at a quota. The rate is {@link
   * #rate}'s.
   */
  public <T> T submit(Caller caller, long tasks, Supplier<T> store) {
    if (caller.operator()) {
      return store.get();
    }
    String user = caller.name();
    synchronized (lockOf(user)) {
      long jobs = usage.unfinishedJobs(user);
      if (jobs + 1 > limits.jobs()) {
        throw new QuotaExceeded(
            429,
            null,
            "jobs",
            jobs,
            limits.jobs(),
            Optional.empty(),
            user
                + " has "
                + jobs
                + " unfinished jobs; the limit is "
                + limits.jobs()
                + " per user (SURGE_QUOTA_JOBS): wait for one to end, or cancel one");
      }
      long queued = usage.queuedTasks(user);
      if (tasks > limits.tasks() - queued) {
        throw new QuotaExceeded(
            429,
            "tasks",
            "tasks",
            queued,
            limits.tasks(),
            Optional.empty(),
            "this job's "
                + tasks
                + " tasks and the "
                + queued
                + " tasks "
                + user
                + " has queued pass the limit of "
                + limits.tasks()
                + " queued tasks per user (SURGE_QUOTA_TASKS)");
      }
      long results = usage.resultBytes(user);
      if (results >= limits.resultBytes()) {
        throw storage(
            null,
            "resultBytes",
            results,
            user
                + "'s stored results take "
                + results
                + " bytes, the limit of "
                + limits.resultBytes()
                + " per user (SURGE_QUOTA_RESULT_BYTES): no job can store its result");
      }
      return store.get();
    }
  }

  /**
   * Admits an upload of {@code bytes} new bytes for the user and runs {@code store} under the
   * user's lock; takes a submission token first. Call it only for bytes the user does not hold yet:
   * a repeated upload of the same content stores nothing and is not charged.
   */
  public <T> T upload(Caller caller, String field, long bytes, Supplier<T> store) {
    if (caller.operator()) {
      return store.get();
    }
    takeToken(caller, "new uploads");
    String user = caller.name();
    synchronized (lockOf(user)) {
      long used = usage.inputBytes(user);
      if (bytes > limits.inputBytes() - used) {
        throw storage(
            field,
            "inputBytes",
            used,
            "this upload of "
                + bytes
                + " bytes and the "
                + used
                + " bytes of inputs "
                + user
                + " has stored pass the limit of "
                + limits.inputBytes()
                + " bytes per user (SURGE_QUOTA_INPUT_BYTES)");
      }
      return store.get();
    }
  }

  /**
   * For the merge: the refusal when a result of {@code bytes} would take {@code owner}'s stored
   * results past the quota. The merge runs without the submitter's credential, so this applies to
   * every owner, operators too.
   */
  public Optional<QuotaExceeded> resultRefusal(String owner, long bytes) {
    long used = usage.resultBytes(owner);
    if (bytes <= limits.resultBytes() - used) {
      return Optional.empty();
    }
    return Optional.of(
        storage(
            null,
            "resultBytes",
            used,
            "the result of "
                + bytes
                + " bytes and the "
                + used
                + " bytes of results "
                + owner
                + " has stored pass the limit of "
                + limits.resultBytes()
                + " bytes per user (SURGE_QUOTA_RESULT_BYTES)"));
  }

  public Settings.Quotas limits() {
    return limits;
  }

  private void takeToken(Caller caller, String what) {
    if (submits.isEmpty()) {
      return;
    }
    TokenBucket bucket = submits.get();
    Optional<Duration> wait = bucket.take(caller.name());
    if (wait.isPresent()) {
      throw new QuotaExceeded(
          429,
          null,
          "submits",
          bucket.rate().count(),
          bucket.rate().count(),
          wait,
          caller.name()
              + " sent more "
              + what
              + " than the limit of "
              + bucket.rate()
              + " per user (SURGE_RATE_SUBMITS); try again in "
              + QuotaExceeded.seconds(wait.get())
              + " s");
    }
  }

  private QuotaExceeded storage(String field, String quota, long used, String message) {
    long limit = quota.equals("inputBytes") ? limits.inputBytes() : limits.resultBytes();
    return new QuotaExceeded(413, field, quota, used, limit, Optional.empty(), message);
  }

  private Object lockOf(String user) {
    return locks.computeIfAbsent(user, u -> new Object());
  }
}
