package surge.dispatch;

import java.util.ArrayList;
import java.util.List;

/**
 * The lease table: every task out on a volunteer, by lease id on its volunteer and on its job,
 * numbered and counted; renewals and which leases are due. What a due or lost lease means for its
 * task (requeue, failure) is the dispatcher's decision. Called with the dispatcher's lock held.
 */
final class Leases {
  private long next = 1;
  private long held;

  /** Leases task {@code index} of {@code run} to {@code v} until {@code expires}. */
  Lease grant(Volunteer v, JobRun run, int index, long expires, long limitAt, boolean spot) {
    var lease = new Lease(next++, run, index, v, expires, limitAt, spot);
    v.leases.put(lease.id, lease);
    run.leased.put(lease.id, lease);
    held++;
    return lease;
  }

  /** {@code v}'s current lease {@code id}, or null. */
  static Lease of(Volunteer v, long id) {
    return v.leases.get(id);
  }

  /** Whether {@code l} is still out (not ended by a result, a loss or its job's end). */
  static boolean current(Lease l) {
    return l.volunteer.leases.get(l.id) == l;
  }

  /**
   * Ends a lease; true the first time only, since ending one job may end other leases of the same
   * sweep.
   */
  boolean end(Lease l) {
    if (l.volunteer.leases.remove(l.id) == l) {
      l.run.leased.remove(l.id);
      held--;
      return true;
    }
    return false;
  }

  /**
   * A heartbeat: each of {@code v}'s leases runs {@code leaseMillis} more, never past its limit.
   */
  static void renew(Volunteer v, long now, long leaseMillis) {
    for (Lease l : v.leases.values()) {
      l.renew(now, leaseMillis);
    }
  }

  /** {@code v}'s leases past their time limit or their expiry at {@code now}; null if none. */
  static List<Lease> due(Volunteer v, long now) {
    List<Lease> due = null;
    for (Lease l : v.leases.values()) {
      if (overLimit(l, now) || l.expiresAt < now) {
        if (due == null) {
          due = new ArrayList<>();
        }
        due.add(l);
      }
    }
    return due;
  }

  /** The task's wall-time limit has run out, whatever its heartbeats said (PROTOCOL.md). */
  static boolean overLimit(Lease l, long now) {
    return l.limitAt <= now;
  }

  /** Whether {@code v} holds task {@code index} of {@code run} already. */
  static boolean holds(Volunteer v, JobRun run, int index) {
    for (Lease l : v.leases.values()) {
      if (l.run == run && l.index == index) {
        return true;
      }
    }
    return false;
  }

  /** Leases out now, over all volunteers. */
  long held() {
    return held;
  }
}
