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

  /** The stored report of a job that has one (it declared a verification mode). */
  static Optional<VerificationReport> load(Job job) {
    if (job.verifyMode().isEmpty()) {
      return Optional.empty();
    }
    long[] n = new long[7];
    job.verifyReport()
        .ifPresent(
            text -> {
              String[] parts = text.split(",");
              for (int i = 0; i < Math.min(parts.length, n.length); i++) {
                n[i] = Long.parseLong(parts[i]);
              }
            });
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
