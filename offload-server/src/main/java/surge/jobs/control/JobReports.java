package surge.jobs.control;

import java.util.Optional;
import java.util.OptionalDouble;
import surge.dispatch.VerificationReport;
import surge.jobs.entity.Job;

/** A job's verification report as the jobs table keeps it: counts in one short column. */
final class JobReports {
  private JobReports() {}

  static String store(VerificationReport r) {
    return r.accepted()
        + ","
        + r.results()
        + ","
        + r.serverRuns()
        + ","
        + r.spotChecks()
        + ","
        + r.disagreements()
        + ","
        + r.blacklisted()
        + ","
        + r.recomputed();
  }

  /**
   * A stored report with {@code part} added, count by count: several instances each report the part
   * of a job they verified (surge.cluster).
   */
  static String add(Optional<String> stored, VerificationReport part) {
    long[] n = counts(stored);
    long[] p = counts(Optional.of(store(part)));
    StringBuilder sum = new StringBuilder();
    for (int i = 0; i < n.length; i++) {
      sum.append(i == 0 ? "" : ",").append(n[i] + p[i]);
    }
    return sum.toString();
  }

  private static long[] counts(Optional<String> stored) {
    long[] n = new long[7];
    stored.ifPresent(
        text -> {
          String[] parts = text.split(",");
          for (int i = 0; i < Math.min(parts.length, n.length); i++) {
            n[i] = Long.parseLong(parts[i]);
          }
        });
    return n;
  }

  /** The stored report of a job that has one (it declared a verification mode). */
  static Optional<VerificationReport> load(Job job) {
    if (job.verifyMode().isEmpty()) {
      return Optional.empty();
    }
    long[] n = counts(job.verifyReport());
    return Optional.of(
        new VerificationReport(
            job.verifyMode().get(),
            job.verifyError().map(OptionalDouble::of).orElse(OptionalDouble.empty()),
            job.verifyCompare().orElse("bytes"),
            job.verifyReport().isPresent() ? (int) n[0] : job.tasksDone(),
            n[1],
            n[2],
            n[3],
            n[4],
            n[5],
            n[6]));
  }
}
