package surge.dispatch;

import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a job's validator kernel on a task's candidate outputs, off the dispatcher's lock, and
 * answers later on another thread.
 */
public interface Validator {
  /**
   * What the validator said: for each candidate, the index of the first candidate it agrees with
   * (itself if none before it), or why it could not say.
   */
  record Verdict(int[] labels, String failure) {
    public static Verdict failed(String why) {
      return new Verdict(null, why);
    }

    public boolean ok() {
      return failure == null;
    }
  }

  void judge(
      String kernelSha256, String job, int index, List<byte[]> candidates, Consumer<Verdict> done);

  /** No validator: every such comparison fails (servers always give one; tests may not). */
  Validator NONE =
      (sha, job, index, candidates, done) ->
          done.accept(Verdict.failed("this server runs no validator kernels"));
}
