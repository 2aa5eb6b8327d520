package surge.dispatch;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One task leased to a volunteer.
 *
 * @param leaseExpires epoch ms; heartbeats renew it
 * @param timeoutMs the task's wall-time limit, counted from the lease; no heartbeat extends it
 * @param checkpoint the task's latest checkpoint, to resume from
 */
public record Assignment(
    String job,
    int index,
    long lease,
    String kernel,
    List<String> args,
    Map<String, String> env,
    byte[] stdin,
    long leaseExpires,
    long timeoutMs,
    Optional<ResumePoint> checkpoint) {

  @Override
  public boolean equals(Object o) {
    return o instanceof Assignment t
        && job.equals(t.job)
        && index == t.index
        && lease == t.lease
        && kernel.equals(t.kernel)
        && args.equals(t.args)
        && env.equals(t.env)
        && Arrays.equals(stdin, t.stdin)
        && leaseExpires == t.leaseExpires
        && timeoutMs == t.timeoutMs
        && checkpoint.equals(t.checkpoint);
  }

  @Override
  public int hashCode() {
    return Objects.hash(job, index, lease);
  }
}
