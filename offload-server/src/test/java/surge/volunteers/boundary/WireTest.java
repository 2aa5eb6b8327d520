package surge.volunteers.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import surge.dispatch.Assignment;
import surge.dispatch.CheckpointOffer;
import surge.dispatch.LeasedTask;
import surge.dispatch.ResumePoint;
import surge.dispatch.SessionTerms;
import surge.dispatch.TaskKey;
import surge.dispatch.TaskOutcome;
import surge.dispatch.VolunteerEvent;
import surge.volunteers.protocol.Codec;
import surge.volunteers.protocol.Decoded;
import surge.volunteers.protocol.Message;

class WireTest {
  static final Assignment TASK =
      new Assignment(
          "j-1",
          3,
          42,
          "a".repeat(64),
          List.of("--n", "5"),
          Map.of("SURGE_TASK_INDEX", "3"),
          "in".getBytes(StandardCharsets.UTF_8),
          1_000,
          60_000,
          Optional.of(new ResumePoint(0.5, new byte[] {1, 2, 3})));

  /** Encodes, decodes as a volunteer's message would be, and returns the message. */
  static Message overTheWire(Message m) {
    return ((Decoded.Ok) Codec.decode(Codec.encode(m))).message();
  }

  @Test
  void anAssignmentGoesOutAsTasksWithEveryFieldAndItsCheckpoint() {
    var m = Wire.message(new VolunteerEvent.Assigned(List.of(TASK)));
    assertThat(m).isInstanceOf(Message.Tasks.class);
    var back = (Message.Tasks) overTheWire(m);
    assertThat(back.tasks()).hasSize(1);
    assertThat(Wire.assignment(back.tasks().get(0))).isEqualTo(TASK);
  }

  @Test
  void aCancelGoesOutWithItsTasksAndReason() {
    var event =
        new VolunteerEvent.Cancelled(
            List.of(new TaskKey("j-1", 0), new TaskKey("j-2", 7)), "lease expired");
    var back = (Message.Cancel) overTheWire(Wire.message(event));
    assertThat(Wire.keys(back)).isEqualTo(event.tasks());
    assertThat(back.reason()).isEqualTo("lease expired");
  }

  @Test
  void theWelcomeCarriesEveryTerm() {
    var terms = new SessionTerms("v-1", 5_000, 30_000, 4, 2, 1 << 20, 10_000, 65_536, 60_000);
    assertThat(Wire.welcome(terms))
        .isEqualTo(
            new Message.Welcome("v-1", 5_000, 30_000, 4, 2, 1 << 20, 10_000, 65_536, 60_000));
  }

  @Test
  void resultsReleasesAndCheckpointsComeInAsTheDispatchersOwnTypes() {
    byte[] out = {7};
    byte[] err = {8};
    for (var s : Message.ResultStatus.values()) {
      var r = new Message.Result("j-1", 2, 9, s, 1, out, err, 3.5);
      assertThat(Wire.outcomes(List.of(r)))
          .containsExactly(
              new TaskOutcome("j-1", 2, 9, TaskOutcome.Status.valueOf(s.name()), 1, out, err, 3.5));
    }
    assertThat(Wire.leased(List.of(new Message.TaskLease("j-1", 2, 9))))
        .containsExactly(new LeasedTask("j-1", 2, 9));
    assertThat(Wire.checkpoint(new Message.Checkpoint("j-1", 2, 9, 0.25, out)))
        .isEqualTo(new CheckpointOffer("j-1", 2, 9, 0.25, out));
  }

  @Test
  void everyReleaseReasonHasItsCauseQuotedAsOnTheWire() {
    for (var r : Message.ReleaseReason.values()) {
      // A lost task's message quotes the reason as the volunteer sent it.
      assertThat(Wire.cause(r).text).isEqualTo(r.wire);
      assertThat(Wire.cause(r).name()).isEqualTo(r.name());
    }
  }
}
