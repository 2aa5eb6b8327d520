package surge.dispatch;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * How a job's results were checked, for its status, {@code surge status} and squeue's Comment.
 *
 * @param accepted tasks whose result is accepted
 * @param results volunteer results received (first answers, replicas and spot checks)
 * @param serverRuns tasks the server computed itself (known answers for spot checks)
 * @param spotChecks results compared with a known answer
 * @param disagreements results that lost to an accepted, different answer
 * @param blacklisted volunteers caught with a wrong answer while working on the job
 * @param recomputed accepted results thrown away because their volunteer was caught
 */
public record VerificationReport(
    String mode,
    OptionalDouble targetError,
    String compare,
    int accepted,
    long results,
    long serverRuns,
    long spotChecks,
    long disagreements,
    long blacklisted,
    long recomputed) {

  /** Work done per accepted task: 1.0 when every task was computed once. */
  public double work() {
    return accepted == 0 ? 0 : (double) (results + serverRuns) / accepted;
  }

  /**
   * One line: {@code verified: 720 tasks, 1.18× work, 3 disagreements, 1 volunteer blacklisted}.
   */
  public String summary() {
    if (mode.equals("none")) {
      return String.format(
          Locale.ROOT, "unverified (--verify=none): %d tasks from trusted volunteers", accepted);
    }
    if (mode.equals("replicate=1")) {
      return String.format(
          Locale.ROOT, "unverified (--verify=replicate=1): %d tasks, first results", accepted);
    }
    if (accepted == 0) {
      return "verifying (" + mode + "): no task accepted yet";
    }
    return String.format(
        Locale.ROOT,
        "verified (%s): %d tasks, %.2f× work, %d spot checks, %s, %s%s",
        mode,
        accepted,
        work(),
        spotChecks,
        plural(disagreements, "disagreement"),
        plural(blacklisted, "volunteer") + " blacklisted",
        recomputed > 0 ? ", " + recomputed + " results recomputed" : "");
  }

  private static String plural(long n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }
}
