package surge.jobs.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.hibernate.annotations.DynamicUpdate;

/**
 * A submitted job: what to run (kernel, tasks, split, arguments), how to merge, and where it is in
 * its life. The state only moves forward; the methods below are the only way to move it.
 *
 * <p>Updates write only the columns that changed: the journal updates a job it read before a cancel
 * committed (its verification report, its done count), and writing every column put the stale
 * QUEUED back over CANCELLED for a moment (RestJobsIT.aCancelledQueuedJobStaysCancelled).
 */
@Entity
@DynamicUpdate
@Table(
    name = "jobs",
    indexes = {
      @Index(name = "jobs_state", columnList = "state"),
      // The quotas count a user's unfinished jobs at every submission.
      @Index(name = "jobs_owner_state", columnList = "owner_name, state")
    })
public class Job {
  private static final String PREFIX = "j-";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "jobs_seq")
  @SequenceGenerator(name = "jobs_seq", sequenceName = "jobs_seq", allocationSize = 20)
  private long id;

  @Column(name = "name", length = 200)
  private String name;

  /** The user who submitted it; null only for jobs stored before owners existed (operators'). */
  @Column(name = "owner_name", length = 64)
  private String owner;

  /**
   * The random part of the public id (80 bits), so ids cannot be guessed from one another; null for
   * jobs stored before it existed.
   */
  @Column(name = "id_secret", length = 16)
  private String idSecret;

  @Column(name = "kernel", length = 64, nullable = false)
  private String kernel;

  @Column(name = "task_count", nullable = false)
  private int taskCount;

  @Column(name = "input_sha256", length = 64)
  private String inputSha256;

  @Enumerated(EnumType.STRING)
  @Column(name = "split", length = 10)
  private SplitMode split;

  /** JSON array of strings. */
  @Column(name = "args_json", length = 100_000, nullable = false)
  private String argsJson;

  /** JSON object of strings. */
  @Column(name = "env_json", length = 100_000, nullable = false)
  private String envJson;

  @Enumerated(EnumType.STRING)
  @Column(name = "merge_kind", length = 10, nullable = false)
  private MergeKind mergeKind;

  @Column(name = "reducer", length = 64)
  private String reducer;

  @Column(name = "priority", nullable = false)
  private int priority;

  @Column(name = "deadline")
  private Instant deadline;

  @Column(name = "slurm_job_id", length = 64)
  private String slurmJobId;

  /** Each task's wall-time limit in seconds; null: the server's default. */
  @Column(name = "task_timeout_seconds")
  private Integer taskTimeoutSeconds;

  /** adaptive, replicate=N or none; null for jobs stored before verification (first result). */
  @Column(name = "verify_mode", length = 16)
  private String verifyMode;

  @Column(name = "verify_error")
  private Double verifyError;

  /** bytes or numeric:REL; null: bytes. */
  @Column(name = "verify_compare", length = 80)
  private String verifyCompare;

  /**
   * How the results were checked, stored when the job's tasks are all accepted (or it ends):
   * results, server runs, spot checks, disagreements, blacklisted, recomputed.
   */
  @Column(name = "verify_report", length = 200)
  private String verifyReport;

  @Enumerated(EnumType.STRING)
  @Column(name = "state", length = 10, nullable = false)
  private JobState state;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "started_at")
  private Instant startedAt;

  @Column(name = "finished_at")
  private Instant finishedAt;

  @Column(name = "tasks_done", nullable = false)
  private int tasksDone;

  @Column(name = "result_size")
  private Long resultSize;

  @Column(name = "error_message", length = 2000)
  private String errorMessage;

  @Column(name = "error_task")
  private Integer errorTask;

  @Column(name = "error_exit_code")
  private Integer errorExitCode;

  @Column(name = "error_stderr", length = 8192)
  private String errorStderr;

  protected Job() {}

  public Job(
      String owner,
      String name,
      String kernel,
      int taskCount,
      String inputSha256,
      SplitMode split,
      String argsJson,
      String envJson,
      MergeKind mergeKind,
      String reducer,
      int priority,
      Instant deadline,
      String slurmJobId,
      Instant createdAt) {
    this.owner = owner;
    this.idSecret = randomPart();
    this.name = name;
    this.kernel = kernel;
    this.taskCount = taskCount;
    this.inputSha256 = inputSha256;
    this.split = split;
    this.argsJson = argsJson;
    this.envJson = envJson;
    this.mergeKind = mergeKind;
    this.reducer = reducer;
    this.priority = priority;
    this.deadline = deadline;
    this.slurmJobId = slurmJobId;
    this.state = JobState.QUEUED;
    this.createdAt = createdAt;
  }

  private static String randomPart() {
    var out = new StringBuilder(16);
    for (int i = 0; i < 16; i++) {
      out.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return out.toString();
  }

  /** Sets each task's wall-time limit (whole seconds), before the job is stored. */
  public Job limitTasksTo(Optional<java.time.Duration> timeout) {
    this.taskTimeoutSeconds = timeout.map(t -> (int) t.toSeconds()).orElse(null);
    return this;
  }

  /** How its results are to be checked, before the job is stored. */
  public Job verifyBy(String mode, Optional<Double> targetError, String compare) {
    this.verifyMode = mode;
    this.verifyError = targetError.orElse(null);
    this.verifyCompare = compare;
    return this;
  }

  public Optional<String> verifyMode() {
    return Optional.ofNullable(verifyMode);
  }

  public Optional<Double> verifyError() {
    return Optional.ofNullable(verifyError);
  }

  public Optional<String> verifyCompare() {
    return Optional.ofNullable(verifyCompare);
  }

  /** The counts of {@link #verifyReport}, as the journal stored them. */
  public Optional<String> verifyReport() {
    return Optional.ofNullable(verifyReport);
  }

  public void verified(String report) {
    this.verifyReport = report;
  }

  /** Each task's wall-time limit, if the job set one. */
  public Optional<java.time.Duration> taskTimeout() {
    return Optional.ofNullable(taskTimeoutSeconds).map(java.time.Duration::ofSeconds);
  }

  /**
   * The numeric id inside a public id ({@code j-000042-k3x9...}), or empty if the text is not one.
   * It finds the row cheaply; {@link #hasPublicId} then checks the random part.
   */
  public static Optional<Long> parseId(String publicId) {
    if (publicId == null || !publicId.startsWith(PREFIX) || publicId.length() > 64) {
      return Optional.empty();
    }
    int end = publicId.indexOf('-', PREFIX.length());
    String digits = publicId.substring(PREFIX.length(), end < 0 ? publicId.length() : end);
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(digits));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** True when {@code candidate} is this job's whole public id (compared in constant time). */
  public boolean hasPublicId(String candidate) {
    return MessageDigest.isEqual(
        publicId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        candidate.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public void start(Instant at) {
    if (state == JobState.QUEUED) {
      state = JobState.RUNNING;
      startedAt = at;
    }
  }

  public void countDone(int tasks) {
    tasksDone = Math.max(0, Math.min(taskCount, tasksDone + tasks));
  }

  /** Every task is done; the outputs are being merged. */
  public void merging() {
    if (!state.ended()) {
      state = JobState.MERGING;
    }
  }

  public void succeed(long resultSize, Instant at) {
    if (!state.ended()) {
      state = JobState.SUCCEEDED;
      this.resultSize = resultSize;
      this.tasksDone = taskCount;
      finishedAt = at;
    }
  }

  public void fail(
      String message, OptionalInt task, OptionalInt exitCode, Optional<String> stderr, Instant at) {
    if (!state.ended()) {
      state = JobState.FAILED;
      errorMessage = truncate(message, 2000);
      errorTask = task.isPresent() ? task.getAsInt() : null;
      errorExitCode = exitCode.isPresent() ? exitCode.getAsInt() : null;
      errorStderr = stderr.map(s -> truncate(s, 8192)).orElse(null);
      finishedAt = at;
    }
  }

  public void cancel(String reason, Instant at) {
    if (!state.ended()) {
      state = JobState.CANCELLED;
      errorMessage = truncate("cancelled: " + reason, 2000);
      finishedAt = at;
    }
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(s.length() - max);
  }

  public long id() {
    return id;
  }

  /** The id users see, e.g. {@code j-000042-k3x9qm2vt8h4rw6p}. */
  public String publicId() {
    String numeric = PREFIX + String.format("%06d", id);
    return idSecret == null ? numeric : numeric + "-" + idSecret;
  }

  /** Who submitted the job; empty for jobs from before owners (only operators see those). */
  public Optional<String> owner() {
    return Optional.ofNullable(owner);
  }

  public String name() {
    return name;
  }

  public String kernel() {
    return kernel;
  }

  public int taskCount() {
    return taskCount;
  }

  public Optional<String> inputSha256() {
    return Optional.ofNullable(inputSha256);
  }

  public Optional<SplitMode> split() {
    return Optional.ofNullable(split);
  }

  public String argsJson() {
    return argsJson;
  }

  public String envJson() {
    return envJson;
  }

  public MergeKind mergeKind() {
    return mergeKind;
  }

  public Optional<String> reducer() {
    return Optional.ofNullable(reducer);
  }

  public int priority() {
    return priority;
  }

  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  public Optional<String> slurmJobId() {
    return Optional.ofNullable(slurmJobId);
  }

  public JobState state() {
    return state;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Optional<Instant> startedAt() {
    return Optional.ofNullable(startedAt);
  }

  public Optional<Instant> finishedAt() {
    return Optional.ofNullable(finishedAt);
  }

  public int tasksDone() {
    return tasksDone;
  }

  public Optional<Long> resultSize() {
    return Optional.ofNullable(resultSize);
  }

  public Optional<String> errorMessage() {
    return Optional.ofNullable(errorMessage);
  }

  public Optional<Integer> errorTask() {
    return Optional.ofNullable(errorTask);
  }

  public Optional<Integer> errorExitCode() {
    return Optional.ofNullable(errorExitCode);
  }

  public Optional<String> errorStderr() {
    return Optional.ofNullable(errorStderr);
  }
}
