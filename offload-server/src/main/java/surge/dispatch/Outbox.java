package surge.dispatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import surge.volunteers.protocol.Message;
import surge.volunteers.protocol.Message.TaskRef;

/** Messages gathered under the dispatcher's lock, one per volunteer and kind, sent after it. */
final class Outbox {
  private final Map<Volunteer, List<Message.Task>> tasks = new LinkedHashMap<>();
  private final Map<Volunteer, Map<String, List<TaskRef>>> cancels = new LinkedHashMap<>();

  void task(Volunteer v, Message.Task t) {
    tasks.computeIfAbsent(v, k -> new ArrayList<>()).add(t);
  }

  void cancel(Volunteer v, TaskRef t, String reason) {
    cancels
        .computeIfAbsent(v, k -> new LinkedHashMap<>())
        .computeIfAbsent(reason, k -> new ArrayList<>())
        .add(t);
  }

  private final Map<Volunteer, String> closes = new LinkedHashMap<>();

  /** Closes the connection with 4403 after the rest is sent (a volunteer caught cheating). */
  void close(Volunteer v, String reason) {
    closes.put(v, reason);
  }

  void flush() {
    cancels.forEach(
        (v, byReason) ->
            byReason.forEach((reason, refs) -> v.channel.send(new Message.Cancel(refs, reason))));
    tasks.forEach(
        (v, list) -> {
          if (!closes.containsKey(v)) {
            v.channel.send(new Message.Tasks(list));
          }
        });
    closes.forEach((v, reason) -> v.channel.close(4403, reason));
  }
}
