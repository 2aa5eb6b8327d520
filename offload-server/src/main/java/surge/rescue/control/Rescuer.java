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
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import surge.api.Hashes;
import surge.policies.RescueCandidate;
import surge.policies.RescueDecision;
import surge.policies.RescuePolicy;
import surge.rescue.entity.Rescue;
import surge.slurmcommon.command.SlurmException;
import surge.slurmcommon.script.OffloadOptions;

/**
 * Moves opted-in jobs that pend too long in a watched partition to the volunteer partition.
 *
 * <p>Each {@link #poll} lists the pending jobs of the watched partitions once; a job seen for the
 * first time has its batch script read once for its {@code #OFFLOAD} options. An opted-in job gets
 * a timer at its due time (eligible time plus {@code --rescue-after}), so it moves at that moment
 * rather than at the next poll; {@link #due} then asks the policy and moves it. Every decision is
 * logged once per job. Jobs that left the list are forgotten; moved ones are stored ({@link
 * Rescue}) and never moved again; {@link HandBack} returns them when they miss their deadline.
 */
public final class Rescuer {
  private static final Logger LOG = Logger.getLogger(Rescuer.class.getName());
  private static final long MAX_KERNEL_BYTES = 64L << 20;

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
  private final List<String> partitions;
  private final String target;
  private final Clock clock;
  private final RescueTimer timer;
  private final Map<String, Watched> watched = new HashMap<>();
  private final Rescues rescues;
  private final AtomicLong moved = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  public Rescuer(
      Slurm slurm,
      RescuePolicy policy,
      Rescues rescues,
      List<String> partitions,
      String target,
      Clock clock,
      RescueTimer timer) {
    this.slurm = slurm;
    this.policy = policy;
    this.rescues = rescues;
    this.partitions = List.copyOf(partitions);
    this.target = target;
    this.clock = clock;
    this.timer = timer;
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
    // Unknown here: a timer set before a restart, or by another instance (Quartz clustered).
    Watched w =
        Optional.ofNullable(watched.get(slurmJobId)).or(() -> rediscover(slurmJobId)).orElse(null);
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
    rescues.moved(rescue);
    moved.incrementAndGet();
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

  public long movedCount() {
    return moved.get();
  }

  public long refusedCount() {
    return refused.get();
  }

  // ---- internals ----

  /** A job this instance has not polled, if it still pends in a watched partition. */
  private Optional<Watched> rediscover(String slurmJobId) {
    Optional<PendingJob> job =
        slurm.pending(partitions).stream().filter(j -> j.id().equals(slurmJobId)).findFirst();
    if (job.isEmpty()) {
      return Optional.empty();
    }
    Watched w = new Watched(job.get());
    watched.put(slurmJobId, w);
    discover(w);
    if (!w.decided && w.job.notRescuable().isEmpty()) {
      // Its timer is the one firing: the next poll need not set another.
      w.scheduledFor = w.job.eligibleAt().orElseThrow().plus(w.options.rescueAfter().orElseThrow());
    }
    return Optional.of(w);
  }

  /** First sight of a job: reads its options once and logs what needs no policy. */
  private void discover(Watched w) {
    String id = w.job.id();
    Rescue earlier = rescues.find(id).orElse(null);
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
}
