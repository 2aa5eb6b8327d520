package surge.dispatch;

import java.util.ArrayList;
import java.util.List;

/** The results returned so far for one task that is not yet accepted. */
final class Votes {
  /**
   * One answer: {@code standing}'s, who finished the task, resumed from a checkpoint written by
   * {@code helpers} (empty when it ran from the beginning). A resumed answer is their joint work
   * (docs/verification.md, "Resumed results"): it counts as the work of every one of them.
   */
  record Vote(Standing standing, byte[] output, double millis, List<Standing> helpers) {
    Vote(Standing standing, byte[] output, double millis) {
      this(standing, output, millis, List.of());
    }

    /** Everyone whose work is in this answer, each identity once, the finisher first. */
    List<Standing> contributors() {
      if (helpers.isEmpty()) {
        return List.of(standing);
      }
      List<Standing> all = new ArrayList<>(helpers.size() + 1);
      all.add(standing);
      for (Standing h : helpers) {
        if (all.stream().noneMatch(a -> a.identity().equals(h.identity()))) {
          all.add(h);
        }
      }
      return all;
    }

    /** The joint work of more than one identity. */
    boolean joint() {
      return contributors().size() > 1;
    }

    /** Ground truth only when every contributor is a trusted machine. */
    boolean trusted() {
      return contributors().stream().allMatch(Standing::trusted);
    }

    /** Whether {@code identity} had a hand in this answer. */
    boolean by(String identity) {
      return contributors().stream().anyMatch(c -> c.identity().equals(identity));
    }
  }

  /** Answers that agree; the first member's output stands for the group. */
  record Group(List<Vote> members) {
    byte[] output() {
      return members.get(0).output();
    }

    double millis() {
      return members.get(0).millis();
    }

    boolean has(Standing s) {
      return members.stream().anyMatch(v -> v.standing() == s);
    }

    /**
     * Independent answers in it: members that share no contributor with an earlier member (one
     * identity's sessions never vote twice, but be sure; and a resumed answer is not independent of
     * its checkpoint's author's).
     */
    long identities() {
      java.util.Set<String> seen = new java.util.HashSet<>();
      long independent = 0;
      for (Vote v : members) {
        List<String> ids = v.contributors().stream().map(Standing::identity).toList();
        if (ids.stream().noneMatch(seen::contains)) {
          independent++;
        }
        seen.addAll(ids);
      }
      return independent;
    }
  }

  final List<Vote> all = new ArrayList<>(2);

  /** Audited: its first answer was credible alone, but another identity must agree. */
  boolean audited;

  void add(Vote v) {
    all.add(v);
  }

  /**
   * Whether {@code identity} had a hand in an answer already (finished it or wrote its checkpoint).
   */
  boolean votedBy(String identity) {
    for (Vote v : all) {
      if (v.by(identity)) {
        return true;
      }
    }
    return false;
  }

  /** Removes the votes {@code identity} had a hand in; true if there were any. */
  boolean drop(String identity) {
    return all.removeIf(v -> v.by(identity));
  }

  /**
   * The answers grouped by agreement, each joining the first group whose first answer it matches.
   */
  /** The answers grouped by a validator's labels (each the index of the first it agrees with). */
  static List<Group> groups(List<Vote> all, int[] labels) {
    java.util.Map<Integer, List<Vote>> byLabel = new java.util.LinkedHashMap<>();
    for (int i = 0; i < all.size(); i++) {
      byLabel.computeIfAbsent(labels[i], k -> new ArrayList<>(2)).add(all.get(i));
    }
    return byLabel.values().stream().map(Group::new).toList();
  }

  List<Group> groups(Comparison compare) {
    List<List<Vote>> groups = new ArrayList<>();
    for (Vote v : all) {
      List<Vote> home = null;
      for (List<Vote> g : groups) {
        if (compare.agree(g.get(0).output(), v.output())) {
          home = g;
          break;
        }
      }
      if (home == null) {
        home = new ArrayList<>(2);
        groups.add(home);
      }
      home.add(v);
    }
    return groups.stream().map(Group::new).toList();
  }
}
