package surge.volunteers.boundary;

import java.util.List;
import surge.dispatch.Assignment;
import surge.dispatch.CheckpointOffer;
import surge.dispatch.LeasedTask;
import surge.dispatch.ReleaseCause;
import surge.dispatch.ResumePoint;
import surge.dispatch.SessionTerms;
import surge.dispatch.TaskKey;
import surge.dispatch.TaskOutcome;
import surge.dispatch.VolunteerEvent;
import surge.volunteers.protocol.Message;

/**
 * The one translation between the dispatcher's own events and the volunteer protocol's messages
 * (protocol/PROTOCOL.md): dispatch never sees the wire format, the wire never sees dispatch.
 */
final class Wire {
  private Wire() {}

  static Message message(VolunteerEvent event) {
    if (event instanceof VolunteerEvent.Assigned a) {
      return new Message.Tasks(a.tasks().stream().map(Wire::task).toList());
    }
    var c = (VolunteerEvent.Cancelled) event; // the interface is sealed: the only other kind
    return new Message.Cancel(
        c.tasks().stream().map(t -> new Message.TaskRef(t.job(), t.index())).toList(), c.reason());
  }

  static Message.Task task(Assignment a) {
    return new Message.Task(
        a.job(),
        a.index(),
        a.lease(),
        a.kernel(),
        a.args(),
        a.env(),
        a.stdin(),
        a.leaseExpires(),
        a.timeoutMs(),
        a.checkpoint().map(r -> new Message.Resume(r.progress(), r.data())));
  }

  static Message.Welcome welcome(SessionTerms t) {
    return new Message.Welcome(
        t.session(),
        t.heartbeatMs(),
        t.leaseMs(),
        t.batch(),
        t.prefetchBelow(),
        t.maxMessageBytes(),
        t.checkpointMs(),
        t.maxCheckpointBytes(),
        t.idleHeartbeatMs());
  }

  static List<TaskOutcome> outcomes(List<Message.Result> results) {
    return results.stream().map(Wire::outcome).toList();
  }

  static TaskOutcome outcome(Message.Result r) {
    return new TaskOutcome(
        r.job(),
        r.index(),
        r.lease(),
        status(r.status()),
        r.exitCode(),
        r.stdout(),
        r.stderr(),
        r.millis());
  }

  static TaskOutcome.Status status(Message.ResultStatus s) {
    return switch (s) {
      case OK -> TaskOutcome.Status.OK;
      case EXIT -> TaskOutcome.Status.EXIT;
      case TRAP -> TaskOutcome.Status.TRAP;
    };
  }

  static List<LeasedTask> leased(List<Message.TaskLease> tasks) {
    return tasks.stream().map(t -> new LeasedTask(t.job(), t.index(), t.lease())).toList();
  }

  static ReleaseCause cause(Message.ReleaseReason r) {
    return switch (r) {
      case CLOSING -> ReleaseCause.CLOSING;
      case PAUSED -> ReleaseCause.PAUSED;
      case KERNEL_UNAVAILABLE -> ReleaseCause.KERNEL_UNAVAILABLE;
      case WORKER_CRASHED -> ReleaseCause.WORKER_CRASHED;
      case TIMEOUT -> ReleaseCause.TIMEOUT;
    };
  }

  static CheckpointOffer checkpoint(Message.Checkpoint c) {
    return new CheckpointOffer(c.job(), c.index(), c.lease(), c.progress(), c.data());
  }

  /** For tests: an assignment back from its wire form. */
  static Assignment assignment(Message.Task t) {
    return new Assignment(
        t.job(),
        t.index(),
        t.lease(),
        t.kernel(),
        t.args(),
        t.env(),
        t.stdin(),
        t.leaseExpires(),
        t.timeoutMs(),
        t.checkpoint().map(r -> new ResumePoint(r.progress(), r.data())));
  }

  /** For tests: a cancel's tasks back from their wire form. */
  static List<TaskKey> keys(Message.Cancel c) {
    return c.tasks().stream().map(t -> new TaskKey(t.job(), t.index())).toList();
  }
}
