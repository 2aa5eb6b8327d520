package surge.dispatch;

import java.util.Arrays;
import java.util.Objects;

/** One task's outcome as a volunteer reports it; believed only as far as verification says. */
public record TaskOutcome(
    String job,
    int index,
    long lease,
    Status status,
    int exitCode,
    byte[] stdout,
    byte[] stderr,
    double millis) {

  /** How the task ended on the volunteer. {@code EXIT} and {@code TRAP} are the kernel's fault. */
  public enum Status {
    OK,
    EXIT,
    TRAP
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TaskOutcome r
        && job.equals(r.job)
        && index == r.index
        && lease == r.lease
        && status == r.status
        && exitCode == r.exitCode
        && Arrays.equals(stdout, r.stdout)
        && Arrays.equals(stderr, r.stderr)
        && Double.compare(millis, r.millis) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(job, index, lease, status);
  }
}
