package surge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutboxTest {
  final Outbox out = new Outbox();
  final Volunteer a = LeasesTest.volunteer("a");
  final Volunteer b = LeasesTest.volunteer("b");

  static Assignment task(int index) {
    return new Assignment(
        "j-1", index, index + 100, "k", List.of(), Map.of(), new byte[0], 0, 1, Optional.empty());
  }

  static DispatcherTest.FakeChannel channel(Volunteer v) {
    return (DispatcherTest.FakeChannel) v.channel;
  }

  @Test
  void nothingIsSentBeforeTheFlush() {
    out.task(a, task(0));
    out.cancel(a, new TaskKey("j-1", 1), "lease expired");
    assertThat(channel(a).sent).isEmpty();
  }

  @Test
  void eachVolunteerGetsItsCancelsByReasonThenItsTasksInOneEvent() {
    out.task(a, task(0));
    out.cancel(a, new TaskKey("j-1", 1), "lease expired");
    out.task(a, task(2));
    out.cancel(a, new TaskKey("j-1", 3), "lease expired");
    out.cancel(a, new TaskKey("j-2", 0), "cancelled: by its owner");
    out.task(b, task(4));
    out.flush();
    assertThat(channel(a).sent)
        .containsExactly(
            new VolunteerEvent.Cancelled(
                List.of(new TaskKey("j-1", 1), new TaskKey("j-1", 3)), "lease expired"),
            new VolunteerEvent.Cancelled(List.of(new TaskKey("j-2", 0)), "cancelled: by its owner"),
            new VolunteerEvent.Assigned(List.of(task(0), task(2))));
    assertThat(channel(b).sent).containsExactly(new VolunteerEvent.Assigned(List.of(task(4))));
  }

  @Test
  void aVolunteerBeingClosedGetsItsCancelsButNoNewTasks() {
    out.task(a, task(0));
    out.cancel(a, new TaskKey("j-1", 1), "its volunteer was blacklisted");
    out.close(a, "results failed verification");
    out.flush();
    assertThat(channel(a).sent)
        .containsExactly(
            new VolunteerEvent.Cancelled(
                List.of(new TaskKey("j-1", 1)), "its volunteer was blacklisted"));
    assertThat(channel(a).closedWith).isEqualTo(4403);
  }
}
