package surge.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import surge.policies.VerificationPolicy;

/**
 * The rules of verification (docs/verification.md) as the dispatcher applies them: when a task's
 * answers are enough, who earned an agreement or a disagreement, who is caught, when to spot-check.
 * It decides and keeps counts; the dispatcher owns the queues, leases and connections and carries
 * the decisions out. Called with the dispatcher's lock held, except {@link #ask}'s callback.
 */
final class Verifier {
  /** What becomes of a task after its latest answer. */
  sealed interface Decision {
    /**
     * {@code winner} is the task's answer; {@code caught} lost to a trusted machine's; {@code
     * doubted} lost to an answer credible enough without one (their results are re-verified).
     */
    record Accept(Votes.Group winner, List<Standing> caught, List<Standing> doubted)
        implements Decision {}

    /** Not enough yet: one more answer, from another identity. */
    record Wait() implements Decision {}

    /** The answers will never be enough. */
    record Fail(JobFailure failure) implements Decision {}
  }

  /** Counts since the server started. */
  long results;

  long serverRuns;
  long spotChecks;
  long disagreements;
  long blacklisted;
  long recomputed;

  private final VerificationPolicy policy;
  private final Standings standings;
  private final Validator validator;
  private final java.util.Random random =
      new java.util.Random(new java.security.SecureRandom().nextLong());

  Verifier(VerificationPolicy policy, Standings standings, Validator validator) {
    this.policy = policy;
    this.standings = standings;
    this.validator = validator;
  }

  VerificationPolicy policy() {
    return policy;
  }

  Standings standings() {
    return standings;
  }

  double credibility(Standing s) {
    return policy.credibility(s.history());
  }

  /** An answer is never more credible than the least credible identity that had a hand in it. */
  double credibility(Votes.Vote vote) {
    return credibility(weakest(vote));
  }

  /** The least credible contributor of an answer (its finisher when it ran alone). */
  Standing weakest(Votes.Vote vote) {
    Standing weakest = vote.standing();
    for (Standing s : vote.contributors()) {
      if (credibility(s) < credibility(weakest)) {
        weakest = s;
      }
    }
    return weakest;
  }

  /**
   * An adaptive job's first answer that is credible enough alone (always a trusted machine's),
   * unless it is audited: at the policy's spot-check rate an untrusted volunteer's answer is
   * replicated to another identity all the same, so that a volunteer with a long record keeps being
   * checked in jobs where no known answer is ready (the server's own runs take longer than a short
   * job lasts). A disagreement then sends the task on to more answers and divides the record.
   */
  boolean credibleAlone(JobRun run, int index, Votes.Vote vote) {
    return run.verify.mode() == Verify.Mode.ADAPTIVE
        && !run.allVotes().containsKey(index)
        && credibility(vote) >= 1 - run.verify.targetError();
  }

  /** Whether to audit an answer that is credible alone (see {@link #credibleAlone}). */
  boolean auditNow(Standing s) {
    return !s.trusted() && random.nextDouble() < policy.spotCheckRate(s.history());
  }

  /** Whether to give {@code v} a spot check now, as often as the policy says for its record. */
  boolean spotCheckNow(Volunteer v) {
    return !v.trusted() && random.nextDouble() < policy.spotCheckRate(v.standing.history());
  }

  /** Asks the job's validator kernel about {@code candidates}; answers on another thread. */
  void ask(JobRun run, int index, List<byte[]> candidates, Consumer<Validator.Verdict> done) {
    validator.judge(
        ((Comparison.Kernel) run.verify.compare()).sha256(), run.job.id(), index, candidates, done);
  }

  /** What is wrong with a validator's verdict on {@code n} candidates, or null. */
  static String invalid(Validator.Verdict verdict, int n) {
    if (!verdict.ok()) {
      return verdict.failure();
    }
    if (verdict.labels().length != n) {
      return "it gave " + verdict.labels().length + " labels for " + n + " outputs";
    }
    for (int label : verdict.labels()) {
      if (label < 0 || label >= n) {
        return "a label is not the index of a candidate (0 to " + (n - 1) + ")";
      }
    }
    return null;
  }

  /**
   * With a task's answers grouped: the best group if it is enough (the mode's quorum of identities,
   * or credibility {@code 1 - target error}), its members credited and the others debited; else
   * wait for another answer, or fail once the task has had as many as its mode allows.
   */
  Decision decide(JobRun run, int index, Votes votes, List<Votes.Group> groups) {
    Verify verify = run.verify;
    int best = 0;
    double bestScore = -1;
    List<double[]> credibilities =
        verify.mode() == Verify.Mode.REPLICATE ? null : credibilities(groups);
    for (int g = 0; g < groups.size(); g++) {
      double score =
          credibilities == null
              ? groups.get(g).identities()
              : VerificationPolicy.groupCredibility(credibilities, g);
      if (score > bestScore) {
        best = g;
        bestScore = score;
      }
    }
    Votes.Group winner = groups.get(best);
    boolean enough =
        verify.mode() == Verify.Mode.REPLICATE
            ? winner.identities() >= verify.replicas()
            : bestScore >= 1 - verify.targetError() && (!votes.audited || winner.identities() > 1);
    if (enough) {
      List<Standing> caught = new ArrayList<>();
      List<Standing> doubted = new ArrayList<>();
      settle(run, winner, groups, caught, doubted);
      return new Decision.Accept(winner, caught, doubted);
    }
    if (votes.all.size() < verify.maxResults()) {
      return new Decision.Wait();
    }
    String believed =
        verify.mode() == Verify.Mode.REPLICATE
            ? "by " + (long) bestScore + " of the " + verify.replicas() + " needed"
            : String.format(
                Locale.ROOT, "with %.6f, short of %.6f", bestScore, 1 - verify.targetError());
    return new Decision.Fail(
        new JobFailure(
            String.format(
                Locale.ROOT,
                "task %d could not be verified (--verify=%s): %d results from %d volunteers fall"
                    + " into %d different answers; the best is believed %s",
                index,
                verify.text(),
                votes.all.size(),
                votes.all.size(),
                groups.size(),
                believed),
            OptionalInt.of(index),
            OptionalInt.empty(),
            Optional.empty()));
  }

  private List<double[]> credibilities(List<Votes.Group> groups) {
    List<double[]> c = new ArrayList<>(groups.size());
    for (Votes.Group g : groups) {
      c.add(g.members().stream().mapToDouble(this::credibility).toArray());
    }
    return c;
  }

  /**
   * A task's answer is decided: the agreeing identities earn an agreement (when more than one
   * agreed), the others a disagreement; those that lost to a trusted machine are caught, the others
   * doubted. A resumed answer is joint work: it earns no agreement (it proves nothing of either
   * contributor alone), and when it loses, every contributor is doubted, never caught, since the
   * server cannot tell which of them was wrong.
   */
  private void settle(
      JobRun run,
      Votes.Group winner,
      List<Votes.Group> groups,
      List<Standing> caught,
      List<Standing> doubted) {
    boolean groundTruth = winner.members().stream().anyMatch(Votes.Vote::trusted);
    if (winner.identities() > 1) {
      for (Votes.Vote m : winner.members()) {
        if (!m.standing().trusted() && !m.joint()) {
          m.standing().agreed();
          standings.changed(m.standing());
        }
      }
    }
    for (Votes.Group g : groups) {
      if (g == winner) {
        continue;
      }
      for (Votes.Vote m : g.members()) {
        run.disagreements++;
        disagreements++;
        if (m.joint()) {
          for (Standing s : m.contributors()) {
            if (!s.trusted()) {
              s.disagreed();
              standings.changed(s);
              doubted.add(s);
            }
          }
        } else if (groundTruth) {
          caught.add(m.standing());
        } else {
          m.standing().disagreed();
          standings.changed(m.standing());
          doubted.add(m.standing());
        }
      }
    }
  }

  /** A spot check's outcome; false: the volunteer is caught (the dispatcher bars it). */
  boolean spotChecked(Standing s, JobRun run, boolean agrees) {
    run.spotChecks++;
    spotChecks++;
    if (agrees) {
      s.spotPassed();
      standings.changed(s);
    }
    return agrees;
  }

  /** The untrusted identities among {@code members}: whose results to backtrack if caught. */
  static String[] untrusted(List<Votes.Vote> members) {
    return members.stream()
        .flatMap(m -> m.contributors().stream())
        .filter(s -> !s.trusted())
        .map(Standing::identity)
        .distinct()
        .toArray(String[]::new);
  }

  /** What a missed deadline says of tasks that were waiting for agreement. */
  static String awaiting(JobRun run) {
    int waiting = run.allVotes().size();
    if (waiting == 0) {
      return "";
    }
    return "; "
        + waiting
        + " tasks were waiting for an agreeing result from another volunteer (--verify="
        + run.verify.text()
        + ")";
  }

  VerificationReport totals(long accepted) {
    return new VerificationReport(
        "all",
        java.util.OptionalDouble.empty(),
        "",
        (int) Math.min(Integer.MAX_VALUE, accepted),
        results,
        serverRuns,
        spotChecks,
        disagreements,
        blacklisted,
        recomputed);
  }
}
