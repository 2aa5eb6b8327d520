package surge.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import surge.policies.HeldTask;
import surge.policies.SessionView;
import surge.policies.TaskView;

/** The dispatcher's state as the dispatch policy sees it (SessionView, TaskView, HeldTask). */
final class PolicyViews {
  private PolicyViews() {}

  /** {@code v} at {@code now}, its speed on {@code run} (null: none known). */
  static SessionView session(Volunteer v, JobRun run, long now) {
    return new SessionView(
        v.id,
        v.profile,
        v.stats.kind,
        v.stats.connectedAt,
        Math.max(now, v.stats.connectedAt),
        v.leases.size(),
        v.stats.tasksDone,
        v.stats.msPerTask(run),
        run == null ? Double.NaN : run.speed.msPerTask());
  }

  static TaskView task(JobRun run, int index, TaskProgress progress) {
    return new TaskView(
        run.job.id(),
        index,
        progress.remainingFraction(run.job.id(), index),
        run.speed.msPerTask(),
        run.attemptsOf(index));
  }

  /** When a lease began: its limit less the task's time limit. */
  static long leasedAt(Lease l) {
    return l.limitAt - l.run.timeoutMillis;
  }

  static HeldTask held(Lease l, int copies, TaskProgress progress, long now) {
    return new HeldTask(
        task(l.run, l.index, progress), session(l.volunteer, l.run, now), leasedAt(l), copies);
  }

  /**
   * The {@code n} oldest leases (lowest ids) on tasks of jobs that have nothing queued: what a tail
   * copy can be made of. Spot checks are not copied.
   */
  static List<Lease> oldestInTails(Collection<JobRun> runs, int n) {
    PriorityQueue<Lease> newestFirst =
        new PriorityQueue<>(Comparator.comparingLong((Lease l) -> l.id).reversed());
    for (JobRun run : runs) {
      if (run.ended || run.phase == JobProgress.Phase.MERGING || !run.queue.isEmpty()) {
        continue;
      }
      for (Lease l : run.leased.values()) {
        if (l.spot || run.done.get(l.index)) {
          continue;
        }
        newestFirst.add(l);
        if (newestFirst.size() > n) {
          newestFirst.poll();
        }
      }
    }
    List<Lease> oldest = new ArrayList<>(newestFirst);
    oldest.sort(Comparator.comparingLong(l -> l.id));
    return oldest;
  }
}
