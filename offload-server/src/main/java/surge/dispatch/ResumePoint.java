package surge.dispatch;

import java.util.Arrays;

/** A checkpoint handed out with a task, to resume from. */
public record ResumePoint(double progress, byte[] data) {
  @Override
  public boolean equals(Object o) {
    return o instanceof ResumePoint r
        && Double.compare(progress, r.progress) == 0
        && Arrays.equals(data, r.data);
  }

  @Override
  public int hashCode() {
    return Double.hashCode(progress);
  }

  @Override
  public String toString() {
    return "ResumePoint[progress=" + progress + ", " + data.length + " bytes]";
  }
}
