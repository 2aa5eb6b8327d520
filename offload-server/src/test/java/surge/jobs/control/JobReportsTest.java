package surge.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import surge.dispatch.VerificationReport;

/** The stored verification counts, and their sum over the instances that each verified a part. */
class JobReportsTest {
  static VerificationReport part(int accepted, long results, long disagreements) {
    return new VerificationReport(
        "replicate=2",
        OptionalDouble.empty(),
        "bytes",
        accepted,
        results,
        0,
        0,
        disagreements,
        0,
        0);
  }

  @Test
  void partsFromSeveralInstancesAddUpCountByCount() {
    String a = JobReports.add(Optional.empty(), part(30, 61, 1));
    assertThat(a).isEqualTo(JobReports.store(part(30, 61, 1)));
    String both = JobReports.add(Optional.of(a), part(18, 36, 0));
    assertThat(both).isEqualTo("48,97,0,0,1,0,0");
  }

  @Test
  void aShortOrOlderStoredReportCountsItsMissingFieldsAsZero() {
    assertThat(JobReports.add(Optional.of("5,10"), part(1, 2, 3))).isEqualTo("6,12,0,0,3,0,0");
  }
}
