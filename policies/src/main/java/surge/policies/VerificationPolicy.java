package surge.policies;

import java.util.List;

/**
 * How far the server believes volunteers: the credibility of one volunteer's result given its
 * history, how often to spot-check it, and who a caught volunteer is blacklisted for. The server
 * accepts a task's result once the agreeing results' {@link #groupCredibility group credibility}
 * reaches {@code 1 - target error} (a job's {@code --verify-error}); below that it replicates the
 * task to another identity.
 *
 * <p>The server chooses a policy by name (SURGE_VERIFICATION_POLICY) among those {@link
 * java.util.ServiceLoader} finds: the built-in {@code credibility} ({@link
 * CredibilityVerification}) or a centre's own, listed in its jar's {@code
 * META-INF/services/surge.policies.VerificationPolicy} (see {@link VerificationPolicies}).
 *
 * <p>Every implementation must pass {@code VerificationPolicyContract} (this module's test-jar):
 * credibilities are probabilities, a trusted machine is believed, a failed spot check is never
 * believed, a new identity is believed no more than any identity with a clean record (so a caught
 * cheater gains nothing by coming back under a new name), and more checked results never lower a
 * clean record.
 */
public interface VerificationPolicy {
  /** The name SURGE_VERIFICATION_POLICY selects this policy by. */
  String name();

  /**
   * The probability that a result from a volunteer with this history is right, in [0, 1]: 1 for a
   * trusted machine, 0 once it failed a spot check.
   */
  double credibility(VolunteerHistory history);

  /**
   * The share of this volunteer's tasks that should be spot checks, in [0, 1): high for a new
   * identity, lower as its record grows; 0 for a trusted machine.
   */
  double spotCheckRate(VolunteerHistory history);

  /** Whom a volunteer caught with a wrong answer is blacklisted for. */
  Blacklist blacklist();

  enum Blacklist {
    /** No task of any job again. */
    EVERYWHERE,
    /** No task of the caught job's owner again. */
    OWNER
  }

  /**
   * The probability that group {@code which} of {@code groups} (each the credibilities of the
   * volunteers that returned one and the same answer for a task) is the right answer, assuming
   * volunteers err independently (Sarmenta 2002, "Sabotage-tolerance mechanisms for volunteer
   * computing systems", eq. 7): {@code P(which right, the others wrong)} over the probability of
   * any one group, or none, being right.
   */
  static double groupCredibility(List<double[]> groups, int which) {
    double allWrong = 1;
    double[] wrong = new double[groups.size()];
    double[] right = new double[groups.size()];
    for (int g = 0; g < groups.size(); g++) {
      right[g] = 1;
      wrong[g] = 1;
      for (double c : groups.get(g)) {
        right[g] *= c;
        wrong[g] *= 1 - c;
      }
      allWrong *= wrong[g];
    }
    double total = allWrong;
    double chosen = 0;
    for (int g = 0; g < groups.size(); g++) {
      // P(group g right and every other group wrong) = right[g] * allWrong / wrong[g]
      double p = right[g] * (wrong[g] == 0 ? otherWrong(wrong, g) : allWrong / wrong[g]);
      total += p;
      if (g == which) {
        chosen = p;
      }
    }
    return total == 0 ? 0 : chosen / total;
  }

  private static double otherWrong(double[] wrong, int except) {
    double p = 1;
    for (int g = 0; g < wrong.length; g++) {
      if (g != except) {
        p *= wrong[g];
      }
    }
    return p;
  }
}
