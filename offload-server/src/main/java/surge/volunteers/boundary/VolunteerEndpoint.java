package surge.volunteers.boundary;

import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.config.Settings;
import surge.consent.control.ConsentTokens;
import surge.consent.control.Consents;
import surge.dispatch.Dispatcher;
import surge.identity.control.VolunteerKeys;
import surge.policies.VolunteerProfile;
import surge.verification.control.StoredStandings;
import surge.volunteers.protocol.Codec;
import surge.volunteers.protocol.Decoded;
import surge.volunteers.protocol.Message;

/**
 * {@code /volunteer}: translates the protocol (protocol/PROTOCOL.md) into dispatcher calls. It
 * decides nothing about work itself; a misbehaving connection is closed with the code the protocol
 * names and nobody else notices.
 */
@ServerEndpoint(value = "/volunteer", configurator = OriginCheck.class)
public class VolunteerEndpoint {
  private static final Logger LOG = Logger.getLogger(VolunteerEndpoint.class.getName());
  private static final String ID = "surge.volunteer";
  private static final String CHANNEL = "surge.channel";
  private static final String UNWATCH = "surge.unwatch";

  /**
   * Session property: {@code Boolean.TRUE} when the volunteer said hello with a key marked trusted
   * (the centre's own machine whose results need no cross-check), else {@code FALSE}.
   */
  public static final String TRUSTED = "surge.trusted";

  /** Session property: the id of the volunteer key it said hello with, absent for consent. */
  public static final String KEY_ID = "surge.volunteer.key";

  @Inject Dispatcher dispatcher;
  @Inject Settings settings;
  @Inject VolunteerKeys volunteerKeys;
  @Inject Consents consents;
  @Inject StoredStandings standings;
  @Inject IdleSessions idleSessions;

  /** Connections past this many are closed with 1013 at once (ConnectionCap says why). */
  private static final int CAP = ConnectionCap.forThisProcess();

  @OnOpen
  public void open(Session session) {
    if (idleSessions.watching() >= CAP) {
      close(session, 1013, "this server holds all the volunteers it can; try again later");
      return;
    }
    session.setMaxTextMessageBufferSize(settings.maxMessageBytes());
    session.setMaxBinaryMessageBufferSize(1024);
    // The dispatcher closes silent volunteers after three heartbeats (4408); this is the backstop
    // for every connection, hello or not: kept by Surge, not by Tyrus's per-frame timer
    // (IdleSessions says why).
    idleSessions.watch(session, settings.heartbeat().toMillis() * 6);
    session.getUserProperties().put(CHANNEL, new SessionChannel(session));
  }

  @OnMessage
  public void text(String text, Session session) {
    idleSessions.heard(session);
    Decoded decoded = Codec.decode(text);
    if (decoded instanceof Decoded.Refused refused) {
      if (session.getUserProperties().get(ID) == null) {
        // Until a valid hello, the connection has no standing: any refusal closes it.
        close(session, refused.kind() == Decoded.Kind.MALFORMED ? 1007 : 1008, refused.reason());
        return;
      }
      switch (refused.kind()) {
        case MALFORMED -> close(session, 1007, refused.reason());
        case UNKNOWN_TYPE -> reply(session, Message.ErrorCode.UNKNOWN_TYPE, refused.reason());
        case BAD_MESSAGE -> reply(session, Message.ErrorCode.BAD_MESSAGE, refused.reason());
      }
      return;
    }
    Message message = ((Decoded.Ok) decoded).message();
    String id = (String) session.getUserProperties().get(ID);
    if (id == null) {
      hello(session, message);
      return;
    }
    if (message instanceof Message.Request r) {
      dispatcher.request(id, r.count());
    } else if (message instanceof Message.Results r) {
      dispatcher.results(id, Wire.outcomes(r.results()));
    } else if (message instanceof Message.Heartbeat) {
      dispatcher.heartbeat(id);
    } else if (message instanceof Message.Release r) {
      dispatcher.release(id, Wire.leased(r.tasks()), Wire.cause(r.reason()));
    } else if (message instanceof Message.Checkpoint c) {
      dispatcher.checkpoint(id, Wire.checkpoint(c));
    } else if (message instanceof Message.Hello) {
      reply(
          session, Message.ErrorCode.BAD_MESSAGE, "hello was already received on this connection");
    } else {
      reply(
          session,
          Message.ErrorCode.BAD_MESSAGE,
          "'" + message.type() + "' is sent by the server, not by volunteers");
    }
  }

  private void hello(Session session, Message message) {
    if (!(message instanceof Message.Hello hello)) {
      close(session, 1008, "the first message must be hello");
      return;
    }
    if (hello.protocol() != 1) {
      close(session, 1008, "this server speaks protocol 1, not " + hello.protocol());
      return;
    }
    Optional<ConsentTokens.Consent> consent = Optional.empty();
    String identity;
    boolean trusted;
    if (hello.key().isPresent()) {
      var machine = volunteerKeys.verify(hello.key().get());
      if (machine.isEmpty()) {
        close(session, 1008, "unknown or revoked volunteer key");
        return;
      }
      session.getUserProperties().put(KEY_ID, machine.get().id());
      session.getUserProperties().put(TRUSTED, machine.get().trusted());
      identity = "key:" + machine.get().id();
      trusted = machine.get().trusted();
    } else {
      try {
        consent = Optional.of(consents.verify(hello.token().orElseThrow()));
      } catch (ConsentTokens.Invalid e) {
        close(session, 1008, e.getMessage());
        return;
      }
      session.getUserProperties().put(TRUSTED, Boolean.FALSE);
      // One browser's consent: kept with the consent, so its sessions are one identity.
      identity = "consent:" + consent.get().id();
      trusted = false;
    }
    var standing = standings.load(identity, trusted);
    if (standing.barredEverywhere()) {
      close(session, 4403, "results failed verification");
      return;
    }
    String id = "v-" + UUID.randomUUID().toString().substring(0, 8);
    var profile = new VolunteerProfile(hello.workers(), hello.agent());
    var channel = channel(session);
    var terms = dispatcher.connect(id, channel, profile, settings.maxMessageBytes(), standing);
    session.getUserProperties().put(ID, id);
    // Revoked: no task more from this moment; the close gives its leased tasks back to the queue.
    consent.ifPresent(
        c ->
            session
                .getUserProperties()
                .put(
                    UNWATCH,
                    consents.watch(
                        c.id(),
                        () -> {
                          dispatcher.disconnect(id);
                          // 1008 as for any refused consent (protocol/PROTOCOL.md, "Closing").
                          channel.close(1008, "consent revoked");
                        })));
    // Past its hello, a volunteer holding no task beats at the idle interval; the backstop is six
    // of those, as it was six heartbeats before (the dispatcher's three come first).
    idleSessions.extend(session, 6 * Math.max(terms.heartbeatMs(), terms.idleHeartbeatMs()));
    channel.send(Wire.welcome(terms));
    LOG.fine(
        () ->
            "volunteer "
                + id
                + " connected: "
                + hello.agent()
                + ", "
                + hello.workers()
                + " workers");
  }

  @OnMessage
  public void binary(ByteBuffer data, Session session) {
    close(session, 1003, "this protocol uses text frames only");
  }

  @OnClose
  public void closed(Session session, CloseReason reason) {
    idleSessions.forget(session);
    if (session.getUserProperties().remove(UNWATCH) instanceof Runnable unwatch) {
      unwatch.run();
    }
    String id = (String) session.getUserProperties().remove(ID);
    if (id != null) {
      dispatcher.disconnect(id);
      LOG.fine(() -> "volunteer " + id + " left: " + reason);
    }
  }

  @OnError
  public void error(Session session, Throwable error) {
    LOG.log(Level.FINE, "volunteer connection error", error);
  }

  private static SessionChannel channel(Session session) {
    return (SessionChannel) session.getUserProperties().get(CHANNEL);
  }

  private static void reply(Session session, Message.ErrorCode code, String text) {
    channel(session).send(new Message.Error(code, text));
  }

  private static void close(Session session, int code, String reason) {
    try {
      // A close reason is limited to 123 bytes by the WebSocket protocol.
      String r = reason.length() > 120 ? reason.substring(0, 120) : reason;
      session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), r));
    } catch (Exception e) {
      LOG.log(Level.FINE, "could not close a volunteer session", e);
    }
  }
}
