package surge.dispatch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The latest checkpoint of each task (docs/checkpoints.md), within a memory budget: a new one
 * replaces its task's old one and goes to the back of the line, and the oldest are dropped first
 * when the budget is full. Dropping a checkpoint is never an error: its task starts from the
 * beginning. Called with the dispatcher's lock held.
 */
final class Checkpoints {
  /**
   * A kept checkpoint.
   *
   * @param authors every identity whose work is in it: the volunteer that sent it and the authors
   *     of the checkpoint its lease resumed from (docs/verification.md, "Resumed results")
   */
  record Saved(JobRun run, int index, byte[] data, double progress, List<Standing> authors) {}

  private record Key(JobRun run, int index) {}

  /** Oldest first. */
  private final LinkedHashMap<Key, Saved> byAge = new LinkedHashMap<>();

  private final int maxBytes;
  private final long memory;
  private long bytes;

  long received;
  long resumed;
  long dropped;

  Checkpoints(int maxBytes, long memory) {
    this.maxBytes = maxBytes;
    this.memory = memory;
  }

  /** Keeps {@code saved} as its task's latest; false (counted as dropped) when it is too large. */
  boolean put(Saved saved) {
    if (saved.data().length > maxBytes || saved.data().length > memory) {
      dropped++;
      return false;
    }
    var key = new Key(saved.run(), saved.index());
    Saved old = byAge.remove(key);
    if (old != null) {
      bytes -= old.data().length;
      saved.run().checkpointProgress(saved.index(), -1);
    }
    byAge.put(key, saved);
    bytes += saved.data().length;
    saved.run().checkpointProgress(saved.index(), saved.progress());
    received++;
    for (Iterator<Saved> oldest = byAge.values().iterator(); bytes > memory; ) {
      Saved gone = oldest.next();
      oldest.remove();
      forgotten(gone);
      dropped++;
    }
    return true;
  }

  Optional<Saved> get(JobRun run, int index) {
    return Optional.ofNullable(byAge.get(new Key(run, index)));
  }

  /** Forgets a task's checkpoint: the task is answered, failed, or its job ended. */
  void drop(JobRun run, int index) {
    if (!run.hasCheckpoints()) {
      return;
    }
    Saved gone = byAge.remove(new Key(run, index));
    if (gone != null) {
      forgotten(gone);
    }
  }

  /** Forgets every checkpoint of a job. */
  void dropJob(JobRun run) {
    if (run.hasCheckpoints()) {
      removeIf(s -> s.run() == run);
    }
  }

  /** Forgets every checkpoint {@code identity} had a hand in (it was caught lying). */
  void dropAuthor(String identity) {
    removeIf(s -> s.authors().stream().anyMatch(a -> a.identity().equals(identity)));
  }

  int count() {
    return byAge.size();
  }

  long bytes() {
    return bytes;
  }

  private void removeIf(java.util.function.Predicate<Saved> which) {
    List<Saved> gone = new ArrayList<>();
    for (Iterator<Map.Entry<Key, Saved>> it = byAge.entrySet().iterator(); it.hasNext(); ) {
      Saved s = it.next().getValue();
      if (which.test(s)) {
        it.remove();
        gone.add(s);
      }
    }
    gone.forEach(this::forgotten);
  }

  private void forgotten(Saved s) {
    bytes -= s.data().length;
    s.run().checkpointProgress(s.index(), -1);
  }

  /** The authors of a checkpoint sent on a lease that resumed from {@code from}, and its sender. */
  static List<Standing> authors(List<Standing> from, Standing sender) {
    List<Standing> all = new ArrayList<>(from.size() + 1);
    for (Standing s : from) {
      if (!s.identity().equals(sender.identity())
          && all.stream().noneMatch(a -> a.identity().equals(s.identity()))) {
        all.add(s);
      }
    }
    all.add(sender);
    return List.copyOf(all);
  }
}
