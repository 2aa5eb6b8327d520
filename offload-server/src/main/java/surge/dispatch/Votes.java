package surge.dispatch;

import java.util.ArrayList;
import java.util.List;

/** The results returned so far for one task that is not yet accepted. */
final class Votes {
  /** One volunteer identity's answer. */
  record Vote(Standing standing, byte[] output, double millis) {}

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

    /** Distinct identities in it (one identity's sessions never vote twice, but be sure). */
    long identities() {
      return members.stream().map(v -> v.standing().identity()).distinct().count();
    }
  }

  final List<Vote> all = new ArrayList<>(2);

  /** Audited: its first answer was credible alone, but another identity must agree. */
  boolean audited;

  void add(Vote v) {
    all.add(v);
  }

  boolean votedBy(String identity) {
    for (Vote v : all) {
      if (v.standing().identity().equals(identity)) {
        return true;
      }
    }
    return false;
  }

  /** Removes the votes of {@code identity}; true if there were any. */
  boolean drop(String identity) {
    return all.removeIf(v -> v.standing().identity().equals(identity));
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
