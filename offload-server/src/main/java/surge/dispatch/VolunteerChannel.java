package surge.dispatch;

/**
 * The dispatcher's view of one volunteer's connection. Both calls must return at once (queue the
 * work); the dispatcher calls them after releasing its lock.
 */
public interface VolunteerChannel {
  void send(VolunteerEvent event);

  void close(int code, String reason);
}
