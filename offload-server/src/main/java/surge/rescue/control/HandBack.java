package surge.rescue.control;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.logging.Logger;
import surge.dispatch.DispatchJob;
import surge.rescue.entity.Rescue;
import surge.slurmcommon.command.JobState;
import surge.slurmcommon.command.SlurmAnswer;
import surge.slurmcommon.command.SlurmException;

/**
 * Returns a rescued job to the partition it came from when the volunteers miss its deadline: the
 * job is requeued there and runs natively. Told by the dispatcher; the slow part (waiting for the
 * launcher to end, {@code scontrol}) runs on the timer's thread.
 */
public final class HandBack {
  private static final Logger LOG = Logger.getLogger(HandBack.class.getName());
  private static final Duration SHOW_PAUSE = Duration.ofMillis(100);

  private final Slurm slurm;
  private final Rescues rescues;
  private final Duration launcherWait;
  private final Clock clock;
  private final RescueTimer timer;
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final AtomicLong handedBack = new AtomicLong();

  /**
   * @param launcherWait how long to wait for the job's launcher to end before requeueing anyway
   */
  public HandBack(
      Slurm slurm, Rescues rescues, Duration launcherWait, Clock clock, RescueTimer timer) {
    this.slurm = slurm;
    this.rescues = rescues;
    this.launcherWait = launcherWait;
    this.clock = clock;
    this.timer = timer;
  }

  /**
   * Told (under the dispatcher's lock) that a Surge job missed its deadline: when its Slurm job
   * came by rescue, starts the hand-back and answers the sentence the job's failure carries.
   */
  public Optional<String> deadlineMissed(DispatchJob job) {
    Optional<Rescue> rescue =
        job.slurmJobId()
            .flatMap(rescues::find)
            .filter(r -> r.handedBackAt().isEmpty())
            .filter(r -> started.add(r.slurmJobId()));
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
    Rescue rescue = rescues.find(slurmJobId).orElse(null);
    if (rescue == null || rescue.handedBackAt().isPresent()) {
      return;
    }
    String home = rescue.originalPartition();
    String note;
    try {
      Map<String, String> job =
          await(slurmJobId, launcherWait, f -> !isActive(f.getOrDefault("JobState", "")));
      if (job.isEmpty()) {
        throw new SlurmException(
            SlurmAnswer.UNKNOWN_JOB, "Slurm no longer knows job " + slurmJobId);
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
    rescues.handedBack(slurmJobId, clock.instant(), note);
    started.remove(slurmJobId);
  }

  public long handedBackCount() {
    return handedBack.get();
  }

  /** Still has its nodes (running or paused): its launcher may still be alive. */
  private static boolean isActive(String state) {
    return JobState.of(state, "").active();
  }

  private Map<String, String> await(
      String jobId, Duration within, Predicate<Map<String, String>> done)
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
