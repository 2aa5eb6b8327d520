package surge.dispatch;

import java.util.List;

/**
 * What the dispatcher tells one volunteer, in its own terms: the boundary that owns the connection
 * translates each event into the wire format (surge.volunteers.boundary.Wire).
 */
public sealed interface VolunteerEvent {

  /** Tasks leased to the volunteer, in the order they were given. */
  record Assigned(List<Assignment> tasks) implements VolunteerEvent {
    public Assigned {
      tasks = List.copyOf(tasks);
    }
  }

  /** Tasks the volunteer holds that it should stop: their leases have ended. */
  record Cancelled(List<TaskKey> tasks, String reason) implements VolunteerEvent {
    public Cancelled {
      tasks = List.copyOf(tasks);
    }
  }
}
