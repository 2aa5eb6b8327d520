package surge.dispatch;

import java.util.Arrays;
import java.util.Objects;

/** The latest saved state of a running task (docs/checkpoints.md); as untrusted as a result. */
public record CheckpointOffer(String job, int index, long lease, double progress, byte[] data) {
  @Override
  public boolean equals(Object o) {
    return o instanceof CheckpointOffer c
        && job.equals(c.job)
        && index == c.index
        && lease == c.lease
        && Double.compare(progress, c.progress) == 0
        && Arrays.equals(data, c.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(job, index, lease);
  }
}
