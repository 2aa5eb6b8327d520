package surge.volunteers.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The messages of the volunteer protocol, one record per row of {@code protocol/PROTOCOL.md}.
 * Binary fields hold the decoded bytes; the codec does base64 at the edge.
 */
public sealed interface Message {

  /** The wire name of this message's type. */
  String type();

  /**
   * The first message. Exactly one of {@code token} (a web page's consent) and {@code key} (a
   * volunteer key of the centre's own machine) is present.
   */
  record Hello(
      int protocol,
      Optional<String> token,
      Optional<String> key,
      String agent,
      int workers,
      List<String> features)
      implements Message {
    public String type() {
      return "hello";
    }
  }

  /**
   * @param checkpointMs how often kernels save a checkpoint, and the least time between two {@code
   *     checkpoint} messages of one task; 0: the server takes none (not sent then)
   * @param maxCheckpointBytes the largest checkpoint the server keeps, decoded
   * @param idleHeartbeatMs the heartbeat interval of a volunteer that holds no task; 0: the same as
   *     {@code heartbeatMs} (not sent then; what older servers mean by leaving it out)
   */
  record Welcome(
      String session,
      long heartbeatMs,
      long leaseMs,
      int batch,
      int prefetchBelow,
      int maxMessageBytes,
      long checkpointMs,
      int maxCheckpointBytes,
      long idleHeartbeatMs)
      implements Message {
    public Welcome(
        String session,
        long heartbeatMs,
        long leaseMs,
        int batch,
        int prefetchBelow,
        int maxMessageBytes) {
      this(session, heartbeatMs, leaseMs, batch, prefetchBelow, maxMessageBytes, 0, 0, 0);
    }

    public Welcome(
        String session,
        long heartbeatMs,
        long leaseMs,
        int batch,
        int prefetchBelow,
        int maxMessageBytes,
        long checkpointMs,
        int maxCheckpointBytes) {
      this(
          session,
          heartbeatMs,
          leaseMs,
          batch,
          prefetchBelow,
          maxMessageBytes,
          checkpointMs,
          maxCheckpointBytes,
          0);
    }

    public String type() {
      return "welcome";
    }
  }

  record Request(int count) implements Message {
    public String type() {
      return "request";
    }
  }

  record Tasks(List<Task> tasks) implements Message {
    public String type() {
      return "tasks";
    }
  }

  record Heartbeat(long seq, int running) implements Message {
    public String type() {
      return "heartbeat";
    }
  }

  record Results(List<Result> results) implements Message {
    public String type() {
      return "results";
    }
  }

  record Release(List<TaskLease> tasks, ReleaseReason reason) implements Message {
    public String type() {
      return "release";
    }
  }

  /** The latest saved state of a running task (docs/checkpoints.md); as untrusted as a result. */
  record Checkpoint(String job, int index, long lease, double progress, byte[] data)
      implements Message {
    public String type() {
      return "checkpoint";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Checkpoint c
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

  /** A checkpoint handed out with a task, to resume from. */
  record Resume(double progress, byte[] data) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Resume r
          && Double.compare(progress, r.progress) == 0
          && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
      return Double.hashCode(progress);
    }
  }

  record Cancel(List<TaskRef> tasks, String reason) implements Message {
    public String type() {
      return "cancel";
    }
  }

  record Error(ErrorCode code, String message) implements Message {
    public String type() {
      return "error";
    }
  }

  /**
   * One task as sent to a volunteer.
   *
   * @param timeoutMs the task's wall-time limit, counted from the lease; no heartbeat extends it
   * @param checkpoint the task's latest checkpoint, to resume from
   */
  record Task(
      String job,
      int index,
      long lease,
      String kernel,
      List<String> args,
      Map<String, String> env,
      byte[] stdin,
      long leaseExpires,
      long timeoutMs,
      Optional<Resume> checkpoint) {
    public Task(
        String job,
        int index,
        long lease,
        String kernel,
        List<String> args,
        Map<String, String> env,
        byte[] stdin,
        long leaseExpires,
        long timeoutMs) {
      this(job, index, lease, kernel, args, env, stdin, leaseExpires, timeoutMs, Optional.empty());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Task t
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

  /** One task's outcome as reported by a volunteer. */
  record Result(
      String job,
      int index,
      long lease,
      ResultStatus status,
      int exitCode,
      byte[] stdout,
      byte[] stderr,
      double millis) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Result r
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

  record TaskLease(String job, int index, long lease) {}

  record TaskRef(String job, int index) {}

  /** How a task ended on the volunteer. {@code EXIT} and {@code TRAP} are the kernel's fault. */
  enum ResultStatus {
    OK("ok"),
    EXIT("exit"),
    TRAP("trap");

    public final String wire;

    ResultStatus(String wire) {
      this.wire = wire;
    }
  }

  /** Why a volunteer gives tasks back; all are retryable failures of the infrastructure. */
  enum ReleaseReason {
    CLOSING("closing"),
    PAUSED("paused"),
    KERNEL_UNAVAILABLE("kernel-unavailable"),
    WORKER_CRASHED("worker-crashed"),
    TIMEOUT("timeout");

    public final String wire;

    ReleaseReason(String wire) {
      this.wire = wire;
    }
  }

  enum ErrorCode {
    UNKNOWN_TYPE("unknown-type"),
    BAD_MESSAGE("bad-message");

    public final String wire;

    ErrorCode(String wire) {
      this.wire = wire;
    }
  }
}
