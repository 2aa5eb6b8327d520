package surge.dispatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tasks out on more than one lease: a task of a job's tail copied onto a second session while the
 * first still holds it (DispatchPolicy.duplicate). The copy is a replica lease of a distinct
 * identity: whichever answer settles the task (the first where the job takes the first, else
 * verification's quorum) ends the other lease; while one lease is still out, the loss of the other
 * neither requeues the task nor counts as an attempt. Empty for policies that never copy.
 */
final class TailCopies {
  private final Map<JobRun, Map<Integer, List<Lease>>> out = new HashMap<>();
  private final java.util.Set<Long> copyIds = new java.util.HashSet<>();

  /** Copies made, copies whose answer settled the task, leases ended as another answer won. */
  long made;

  long won;
  long cancelled;

  boolean isEmpty() {
    return out.isEmpty();
  }

  void add(Lease original, Lease copy) {
    var byIndex = out.computeIfAbsent(original.run, r -> new HashMap<>());
    var leases = byIndex.computeIfAbsent(original.index, i -> new ArrayList<>(2));
    if (leases.isEmpty()) {
      leases.add(original);
    }
    leases.add(copy);
    copyIds.add(copy.id);
    made++;
  }

  /** Leases of the task out now; 1 when it was never copied (the caller knows one is out). */
  int copies(JobRun run, int index) {
    var byIndex = out.get(run);
    var leases = byIndex == null ? null : byIndex.get(index);
    return leases == null ? 1 : Math.max(1, leases.size());
  }

  /** Whether another lease of the task is still out (after {@link #ended} of one). */
  boolean stillOut(JobRun run, int index) {
    var byIndex = out.get(run);
    var leases = byIndex == null ? null : byIndex.get(index);
    return leases != null && !leases.isEmpty();
  }

  boolean isCopy(Lease l) {
    return copyIds.contains(l.id);
  }

  /** A lease ended (result, loss, cancel). */
  void ended(Lease l) {
    copyIds.remove(l.id);
    var byIndex = out.get(l.run);
    if (byIndex == null) {
      return;
    }
    var leases = byIndex.get(l.index);
    if (leases != null && leases.remove(l) && leases.isEmpty()) {
      byIndex.remove(l.index);
      if (byIndex.isEmpty()) {
        out.remove(l.run);
      }
    }
  }

  /** The task is settled: the leases of it still out, to be cancelled. */
  List<Lease> settled(JobRun run, int index) {
    var byIndex = out.get(run);
    var leases = byIndex == null ? null : byIndex.get(index);
    return leases == null ? List.of() : List.copyOf(leases);
  }
}
