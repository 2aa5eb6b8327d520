package surge.drmaa;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The jobs of one session: those submitted and not yet reaped, those reaped (a waited job's
 * information is answered once), and those this session suspended. Thread-safe: several threads may
 * wait at once, and exactly one of them reaps each job.
 */
final class SessionJobs {
  private final Set<String> submitted = new LinkedHashSet<>();
  private final Set<String> reaped = new HashSet<>();
  private final Set<String> suspended = new HashSet<>();

  synchronized void add(Collection<String> ids) {
    submitted.addAll(ids);
  }

  synchronized List<String> unreaped() {
    return List.copyOf(submitted);
  }

  /** Whether this session submitted ID (reaped or not). */
  synchronized boolean isOfSession(String id) {
    return submitted.contains(id) || reaped.contains(id);
  }

  synchronized boolean isReaped(String id) {
    return reaped.contains(id);
  }

  /** Reaps ID; true only for the one call that did it. */
  synchronized boolean reap(String id) {
    submitted.remove(id);
    suspended.remove(id);
    return reaped.add(id);
  }

  synchronized void markSuspended(String id, boolean bySession) {
    if (bySession) {
      suspended.add(id);
    } else {
      suspended.remove(id);
    }
  }

  synchronized boolean suspendedBySession(String id) {
    return suspended.contains(id);
  }
}
