package surge.dispatch;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The lost leases of one task that count toward SURGE_MAX_ATTEMPTS, by identity.
 *
 * <p>Counted by distinct identity, as {@link TaskFailures} are: one volunteer (one consent, one
 * key) disconnecting or releasing the same task again and again is one witness, not five, so it
 * cannot fail someone's job on its own. Two rules end the task:
 *
 * <ul>
 *   <li>{@code maxAttempts} distinct identities lost it, however;
 *   <li>or it was <em>released</em> (the volunteer's own statement: its kernel would not load, its
 *       worker crashed, the task's time ran out) at least twice by every identity connected now, so
 *       that a centre's single machine that cannot run a kernel fails the job instead of taking and
 *       releasing it forever. A disconnect or an expired lease never ends a task this way: the
 *       identity that lost it may simply come back.
 * </ul>
 */
final class TaskLosses {
  /** Releases by every connected identity that end the task when fewer identities exist. */
  static final int RELEASES_BY_EACH = 2;

  private final Map<String, int[]> byIdentity = new HashMap<>(4);
  private int total;
  private int maxReleases;

  /** Records a loss by {@code identity}; {@code released}: a release with a reason, not a drop. */
  void add(String identity, boolean released) {
    int[] counts = byIdentity.computeIfAbsent(identity, k -> new int[2]);
    counts[0]++;
    if (released) {
      counts[1]++;
      maxReleases = Math.max(maxReleases, counts[1]);
    }
    total++;
  }

  /** Distinct identities that lost the task. */
  int identities() {
    return byIdentity.size();
  }

  /** Losses of the task, all identities together. */
  int total() {
    return total;
  }

  /**
   * Whether the task should fail its job now.
   *
   * @param connectedNow the identities connected now (asked only when the second rule could hold)
   */
  boolean decisive(int maxAttempts, Supplier<Set<String>> connectedNow) {
    if (byIdentity.size() >= maxAttempts) {
      return true;
    }
    if (maxReleases < RELEASES_BY_EACH) {
      return false;
    }
    Set<String> connected = connectedNow.get();
    if (connected.isEmpty() || connected.size() > byIdentity.size()) {
      return false;
    }
    for (String identity : connected) {
      int[] counts = byIdentity.get(identity);
      if (counts == null || counts[1] < RELEASES_BY_EACH) {
        return false;
      }
    }
    return true;
  }
}
