package surge.volunteers.boundary;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.dispatch.VolunteerChannel;
import surge.dispatch.VolunteerEvent;
import surge.volunteers.protocol.Codec;
import surge.volunteers.protocol.Message;

/**
 * Sends to one volunteer without blocking the caller: frames queue up and go out one at a time
 * through the async remote, each send starting the next when it completes.
 */
final class SessionChannel implements VolunteerChannel {
  private static final Logger LOG = Logger.getLogger(SessionChannel.class.getName());

  private final Session session;
  private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sending = new AtomicBoolean();

  SessionChannel(Session session) {
    this.session = session;
  }

  /** The dispatcher's events go out in the wire format (Wire translates). */
  @Override
  public void send(VolunteerEvent event) {
    send(Wire.message(event));
  }

  /** What the endpoint itself says (welcome, error). */
  void send(Message message) {
    queue.add(Codec.encode(message));
    drain();
  }

  private void drain() {
    while (!queue.isEmpty() && sending.compareAndSet(false, true)) {
      String next = queue.poll();
      if (next == null) {
        sending.set(false);
        continue;
      }
      if (!session.isOpen()) {
        queue.clear();
        sending.set(false);
        return;
      }
      try {
        session
            .getAsyncRemote()
            .sendText(
                next,
                result -> {
                  sending.set(false);
                  if (!result.isOK()) {
                    LOG.log(Level.FINE, "send to volunteer failed", result.getException());
                  }
                  drain();
                });
        return;
      } catch (RuntimeException e) {
        sending.set(false);
        LOG.log(Level.FINE, "send to volunteer failed", e);
        return;
      }
    }
  }

  @Override
  public void close(int code, String reason) {
    try {
      if (session.isOpen()) {
        session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "closing a volunteer session failed", e);
    }
  }
}
