package surge.dispatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dispatcher tells volunteers, gathered under its lock and sent after it: per volunteer,
 * its cancels (one event per reason), then its new tasks (one event), then a close. A volunteer
 * being closed gets no new tasks.
 */
final class Outbox {
  private final Map<Volunteer, List<Assignment>> tasks = new LinkedHashMap<>();
  private final Map<Volunteer, Map<String, List<TaskKey>>> cancels = new LinkedHashMap<>();
  private final Map<Volunteer, String> closes = new LinkedHashMap<>();

  /**
   * The local queue's length when it ran low with volunteers waiting (the claiming hook is told
   * after the lock is released), or -1.
   */
  long lowOnWork = -1;

  void task(Volunteer v, Assignment t) {
    tasks.computeIfAbsent(v, k -> new ArrayList<>()).add(t);
  }

  void cancel(Volunteer v, TaskKey t, String reason) {
    cancels
        .computeIfAbsent(v, k -> new LinkedHashMap<>())
        .computeIfAbsent(reason, k -> new ArrayList<>())
        .add(t);
  }

  /** Closes the connection with 4403 after the rest is sent (a volunteer caught cheating). */
  void close(Volunteer v, String reason) {
    closes.put(v, reason);
  }

  void flush() {
    cancels.forEach(
        (v, byReason) ->
            byReason.forEach(
                (reason, refs) -> v.channel.send(new VolunteerEvent.Cancelled(refs, reason))));
    tasks.forEach(
        (v, list) -> {
          if (!closes.containsKey(v)) {
            v.channel.send(new VolunteerEvent.Assigned(list));
          }
        });
    closes.forEach((v, reason) -> v.channel.close(4403, reason));
  }
}
