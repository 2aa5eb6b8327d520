package surge.rescue.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import surge.api.Hashes;
import surge.dispatch.DispatchJob;
import surge.persistence.Database;
import surge.policies.RescueCandidate;
import surge.policies.RescueDecision;
import surge.policies.RescuePolicy;
import surge.rescue.entity.Rescue;

/**
 * Moves opted-in jobs that pend too long in a watched partition to the volunteer partition, and
 * hands them back when they miss their deadline there.
 *
 * <p>Each {@link #poll} lists the pending jobs of the watched partitions once; a job seen for the
 * first time has its batch script read once for its {@code #OFFLOAD} options. An opted-in job gets
 * a timer at its due time (eligible time plus {@code --rescue-after}), so it moves at that moment
 * rather than at the next poll; {@link #due} then asks the policy and moves it. Every decision is
 * logged once per job. Jobs that left the list are forgotten; moved ones are stored ({@link
 * Rescue}) and never moved again.
 */
public final class Rescuer {
  private static final Logger LOG = Logger.getLogger(Rescuer.class.getName());
  private static final long MAX_KERNEL_BYTES = 64L << 20;
  private static final Duration SHOW_PAUSE = Duration.ofMillis(100);

  /** Runs the rescuer's work at the right time (Quartz in the server, a list in tests). */
  public interface Timer {
    /** Calls {@link #due} for the job at {@code when} (at once if past). */
    void at(Instant when, String slurmJobId);

    /** Calls {@link #handBack} for the job soon, on a thread of its own. */
    void handBack(String slurmJobId);
  }

  /** What the rescuer knows of a pending job while it is in the list. */
  private static final class Watched {
    PendingJob job;
    OffloadOptions options;
    Optional<String> kernelSha256 = Optional.empty();
    Instant scheduledFor;
    String waitingBecause;
    boolean decided;

    Watched(PendingJob job) {
      this.job = job;
    }
  }

  private final Slurm slurm;
  private final RescuePolicy policy;
  private final Database db;
  private final List<String> partitions;
  private final String target;
  private final Duration handBackWait;
  private final Clock clock;
  private final Timer timer;
  private final Map<String, Watched> watched = new HashMap<>();
  private final Map<String, Rescue> rescued = new ConcurrentHashMap<>();
  private final Set<String> handingBack = ConcurrentHashMap.newKeySet();
  private final AtomicLong moved = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong handedBack = new AtomicLong();

  public Rescuer(
      Slurm slurm,
      RescuePolicy policy,
      Database db,
      List<String> partitions,
      String target,
      Duration handBackWait,
      Clock clock,
      Timer timer) {
    this.slurm = slurm;
    this.policy = policy;
    this.db = db;
    this.partitions = List.copyOf(partitions);
    this.target = target;
    this.handBackWait = handBackWait;
    this.clock = clock;
    this.timer = timer;
    db.transaction(s -> s.createSelectionQuery("from Rescue", Rescue.class).getResultList())
        .forEach(r -> rescued.put(r.slurmJobId(), r));
  }

  /** Lists the watched partitions' pending jobs and sets a timer for each new opted-in one. */
  public synchronized void poll() {
    List<PendingJob> jobs = slurm.pending(partitions);
    Set<String> seen = new HashSet<>();
    for (PendingJob job : jobs) {
      if (!seen.add(job.id())) {
        continue; // a job pending in two watched partitions is listed twice
      }
      Watched w = watched.get(job.id());
      if (w == null) {
        w = new Watched(job);
        watched.put(job.id(), w);
        discover(w);
      } else {
        w.job = job;
      }
      if (!w.decided) {
        schedule(w);
      }
    }
    watched.keySet().retainAll(seen);
  }

  /** At a job's due time: asks the policy and moves the job, or logs why not. */
  public synchronized void due(String slurmJobId) {
    Watched w = watched.get(slurmJobId);
    if (w == null || w.decided || w.job.notRescuable().isPresent()) {
      return; // gone, decided, or no longer eligible (the next poll sets a new timer)
    }
    Instant now = clock.instant();
    RescueCandidate candidate = candidate(w);
    RescueDecision decision = policy.decide(candidate, now);
    if (decision.reason() == RescueDecision.Reason.NOT_DUE) {
      w.scheduledFor = null;
      schedule(w);
      return;
    }
    w.decided = true;
    if (!decision.rescue()) {
      refused.incrementAndGet();
      LOG.info(
          () -> "rescue: job " + slurmJobId + " stays in " + w.job.partition() + ": " + decision);
      return;
    }
    try {
      // Requeue=1: a hand-back requeues the job, which Slurm refuses for a job that is not
      // requeueable (--no-requeue, JobRequeue=0).
      slurm.update(slurmJobId, "Partition=" + target, "Requeue=1");
    } catch (SlurmException e) {
      refused.incrementAndGet();
      LOG.warning(() -> "rescue: job " + slurmJobId + " could not be moved: " + e.getMessage());
      return;
    }
    Instant movedAt = clock.instant();
    Instant dueAt = candidate.dueAt().orElseThrow();
    var rescue =
        new Rescue(
            slurmJobId, w.job.user(), w.job.partition(), target, dueAt, movedAt, decision.detail());
    rescued.put(slurmJobId, rescue);
    moved.incrementAndGet();
    db.run(s -> s.persist(rescue));
    LOG.info(
        () ->
            "rescue: moved job "
                + slurmJobId
                + " of "
                + w.job.user()
                + " from "
                + w.job.partition()
                + " to "
                + target
                + " "
                + Duration.between(dueAt, movedAt).toMillis()
                + " ms after it became due: "
                + decision.detail());
  }

  /**
   * Told (under the dispatcher's lock) that a Surge job missed its deadline: when its Slurm job
   * came by rescue, starts the hand-back and answers the sentence the job's failure carries.
   */
  public Optional<String> deadlineMissed(DispatchJob job) {
    Optional<Rescue> rescue =
        job.slurmJobId()
            .map(rescued::get)
            .filter(r -> r.handedBackAt().isEmpty())
            .filter(r -> handingBack.add(r.slurmJobId()));
    rescue.ifPresent(r -> timer.handBack(r.slurmJobId()));
    return rescue.map(
        r ->
            "Slurm job "
                + r.slurmJobId()
                + " came to "
                + r.targetPartition()
                + " by rescue, so Surge hands it back to partition "
                + r.originalPartition()
                + " (requeued there, it runs natively)");
  }

  /**
   * Hands a rescued job back: waits (up to the hand-back wait) for its launcher to end, requeues
   * it, and once it is pending again puts it back on its original partition with {@code
   * StartTime=now} (else Slurm holds a requeued job for about two minutes).
   */
  public void handBack(String slurmJobId) {
    Rescue rescue = rescued.get(slurmJobId);
    if (rescue == null || rescue.handedBackAt().isPresent()) {
      return;
    }
    String home = rescue.originalPartition();
    String note;
    try {
      Map<String, String> job =
          await(slurmJobId, handBackWait, f -> !isActive(f.getOrDefault("JobState", "")));
      if (job.isEmpty()) {
        throw new SlurmException("Slurm no longer knows job " + slurmJobId);
      }
      // A job requeued while it still runs (its launcher did not end) completes first; an
      // update sent before it shows PENDING with Reason=BeginTime does not take.
      boolean wasActive = isActive(job.getOrDefault("JobState", ""));
      slurm.requeue(slurmJobId);
      await(
          slurmJobId,
          Duration.ofSeconds(60),
          f ->
              "PENDING".equals(f.get("JobState"))
                  && (!wasActive || "BeginTime".equals(f.get("Reason"))));
      slurm.update(
          slurmJobId,
          "Partition=" + home,
          "StartTime=now",
          "Comment=surge: handed back to " + home + ", the volunteers missed the deadline");
      note = "requeued to " + home + " after the volunteers missed the deadline";
      handedBack.incrementAndGet();
      LOG.info(
          () ->
              "rescue: handed job "
                  + slurmJobId
                  + " back to "
                  + home
                  + ": the volunteers missed its deadline; requeued, it runs natively there");
    } catch (SlurmException e) {
      note = "hand-back failed: " + e.getMessage();
      LOG.severe("rescue: could not hand job " + slurmJobId + " back to " + home + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      note = "hand-back interrupted";
    }
    Instant at = clock.instant();
    String finalNote = note;
    Rescue stored =
        db.transaction(
            s -> {
              Rescue r = s.find(Rescue.class, slurmJobId);
              r.handedBack(at, finalNote);
              return r;
            });
    rescued.put(slurmJobId, stored);
    handingBack.remove(slurmJobId);
  }

  public long movedCount() {
    return moved.get();
  }

  public long refusedCount() {
    return refused.get();
  }

  public long handedBackCount() {
    return handedBack.get();
  }

  public Optional<Rescue> rescue(String slurmJobId) {
    return Optional.ofNullable(rescued.get(slurmJobId));
  }

  // ---- internals ----

  /** First sight of a job: reads its options once and logs what needs no policy. */
  private void discover(Watched w) {
    String id = w.job.id();
    Rescue earlier = rescued.get(id);
    if (earlier != null) {
      w.decided = true;
      LOG.info(
          () ->
              "rescue: job "
                  + id
                  + " stays in "
                  + w.job.partition()
                  + ": it was rescued once already (moved "
                  + earlier.movedAt()
                  + earlier.handedBackAt().map(t -> ", handed back " + t).orElse("")
                  + ")");
      return;
    }
    if (List.of(w.job.partition().split(",")).contains(target)) {
      w.decided = true;
      LOG.info(
          () ->
              "rescue: job "
                  + id
                  + " stays: it names "
                  + target
                  + " already ("
                  + w.job.partition()
                  + ") and starts there when it can");
      return;
    }
    if (w.job.arrayTask()) {
      w.decided = true;
      LOG.fine(() -> "rescue: job " + id + " stays: job arrays are not rescued");
      return;
    }
    try {
      w.options = OffloadOptions.read(slurm.batchScript(id));
    } catch (SlurmException e) {
      w.decided = true;
      LOG.warning(() -> "rescue: job " + id + " stays: its batch script: " + e.getMessage());
      return;
    }
    if (!w.options.optedIn()) {
      w.decided = true;
      LOG.info(
          () ->
              "rescue: job "
                  + id
                  + " of "
                  + w.job.user()
                  + " stays in "
                  + w.job.partition()
                  + ": it did not opt in (no #OFFLOAD --rescue-after line)");
      return;
    }
    if (w.options.rescueAfter().isEmpty()) {
      w.decided = true;
      refused.incrementAndGet();
      LOG.info(
          () ->
              "rescue: job "
                  + id
                  + " stays in "
                  + w.job.partition()
                  + ": "
                  + String.join("; ", w.options.problems()));
      return;
    }
    w.kernelSha256 =
        w.options.kernel().flatMap(k -> sha256(w.job.workDir().resolve(k).normalize()));
  }

  private void schedule(Watched w) {
    Optional<String> wait = w.job.notRescuable();
    if (wait.isPresent()) {
      w.scheduledFor = null;
      if (!wait.get().equals(w.waitingBecause)) {
        w.waitingBecause = wait.get();
        LOG.info(() -> "rescue: job " + w.job.id() + " waits: " + wait.get());
      }
      return;
    }
    w.waitingBecause = null;
    Instant due = w.job.eligibleAt().orElseThrow().plus(w.options.rescueAfter().orElseThrow());
    if (!due.equals(w.scheduledFor)) {
      w.scheduledFor = due;
      timer.at(due, w.job.id());
    }
  }

  private RescueCandidate candidate(Watched w) {
    return new RescueCandidate(
        w.job.id(),
        w.job.user(),
        w.job.partition(),
        w.job.eligibleAt().orElseThrow(),
        w.options.rescueAfter(),
        w.options.kernel().map(Rescuer::fileName),
        w.kernelSha256,
        w.options.tasks(),
        w.options.deadline(),
        w.job.cpus(),
        w.job.timeLimit());
  }

  /** The last part of a {@code --kernel} path, which kernel allow-lists name. */
  private static String fileName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  private static Optional<String> sha256(Path file) {
    try {
      if (Files.isReadable(file) && Files.size(file) <= MAX_KERNEL_BYTES) {
        return Optional.of(Hashes.sha256(Files.readAllBytes(file)));
      }
    } catch (IOException | SecurityException e) {
      // unreadable here: the policy decides without the hash
    }
    return Optional.empty();
  }

  private static boolean isActive(String state) {
    return switch (state) {
      case "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "STAGE_OUT", "RESIZING" -> true;
      default -> false;
    };
  }

  private Map<String, String> await(
      String jobId, Duration within, java.util.function.Predicate<Map<String, String>> done)
      throws InterruptedException {
    long until = System.nanoTime() + within.toNanos();
    Map<String, String> fields = slurm.show(jobId);
    while (!fields.isEmpty() && !done.test(fields) && System.nanoTime() < until) {
      Thread.sleep(SHOW_PAUSE.toMillis());
      fields = slurm.show(jobId);
    }
    return fields;
  }
}
