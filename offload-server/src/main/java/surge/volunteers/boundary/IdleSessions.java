package surge.volunteers.boundary;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes volunteer connections that send nothing for their idle time, in place of Tyrus's own idle
 * timeout.
 *
 * <p>Tyrus (Payara's WebSocket implementation, 2.1) re-arms a session's idle timeout on every frame
 * in and out: it cancels the pending timeout and schedules a new one on the container's scheduled
 * executor. Two costs follow. In Payara that executor is the default {@code
 * ManagedScheduledExecutorService}, which captures the caller's context on every {@code schedule}
 * with a {@code ServiceLoader} scan of the web application's jars: about a fifth of the server's
 * CPU per message (docs/benchmarks/coldstart.md). And the cancel and the schedule take the lock
 * separately, so two threads re-arming at once (a frame received while a task is sent) can leave
 * one timeout that nothing cancels any more; it closes the session when it fires, however busy the
 * session is. The timeout it left was the one armed just before: with a short or zero idle time, at
 * once.
 *
 * <p>So {@link #watch} switches Tyrus's timeout off ({@code setMaxIdleTimeout(0)}, which makes even
 * a stray timeout do nothing: it only closes sessions whose idle time is positive) and points the
 * session's executor at {@link TyrusTimers}, which drops the timeouts without queueing them and
 * runs anything else on one thread of Surge's. Idleness is then kept here: {@link #heard} stamps
 * the time of each incoming message (one volatile write), and one sweep a second closes a session
 * silent for longer than its idle time with {@value #IDLE_CODE}. Only what the volunteer sends
 * counts: messages to a dead peer do not keep it open.
 *
 * <p>If this Tyrus has no such field (another version), the session keeps the container's executor
 * and Tyrus's own timeout, as before; this is logged once.
 */
@ApplicationScoped
public class IdleSessions {
  private static final Logger LOG = Logger.getLogger(IdleSessions.class.getName());

  /** TyrusSession's field holding the container's scheduled executor (Tyrus 2.1). */
  static final String FIELD = "service";

  /** Close code of an idle session: the protocol's "no heartbeat" code (PROTOCOL.md). */
  static final int IDLE_CODE = 4408;

  /** The name Tyrus gives its idle-timeout task ({@code TyrusSession$IdleTimeoutCommand}). */
  static final String IDLE_COMMAND = "$IdleTimeoutCommand";

  private final Map<Object, Watch> watched = new ConcurrentHashMap<>();
  private final AtomicBoolean warned = new AtomicBoolean();
  private final LongSupplier clock;
  private ScheduledThreadPoolExecutor thread;
  private TyrusTimers timers;
  private volatile Field field;

  /** For CDI: the clock is {@link System#nanoTime()}. */
  public IdleSessions() {
    this(System::nanoTime);
  }

  IdleSessions(LongSupplier nanoClock) {
    this.clock = nanoClock;
  }

  private static final class Watch {
    final Session session;
    volatile long idleNanos;
    volatile long lastHeard;

    Watch(Session session, long idleNanos, long now) {
      this.session = session;
      this.idleNanos = idleNanos;
      this.lastHeard = now;
    }
  }

  @PostConstruct
  void start() {
    // A close runs the endpoint's @OnClose on this thread: with the web application's class
    // loader, as on Payara's own threads.
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    thread =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "surge-ws-idle");
              t.setDaemon(true);
              t.setContextClassLoader(loader);
              return t;
            });
    thread.setRemoveOnCancelPolicy(true);
    timers = new TyrusTimers(thread);
    thread.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
  }

  @PreDestroy
  void stop() {
    thread.shutdownNow();
    watched.clear();
  }

  /**
   * Watches the session from now: it is closed once nothing has been heard from it for {@code
   * idleMillis}. Call from {@code @OnOpen}, before the session's first message.
   *
   * @return whether Surge keeps its idle time; {@code false}: Tyrus does, as before
   */
  public boolean watch(Session session, long idleMillis) {
    if (!adopt(session, timers)) {
      session.setMaxIdleTimeout(idleMillis);
      return false;
    }
    // Tyrus's timeout off: this also cancels the one armed when the session was made.
    session.setMaxIdleTimeout(0);
    track(session, idleMillis);
    return true;
  }

  /** Keeps the session's idle time here (the part of {@link #watch} after the executor swap). */
  void track(Session session, long idleMillis) {
    watched.put(
        session, new Watch(session, TimeUnit.MILLISECONDS.toNanos(idleMillis), clock.getAsLong()));
  }

  /**
   * From now on the session's idle time is {@code idleMillis}, still counted from the last message
   * heard: a volunteer past its hello may beat at the slower idle interval of its welcome.
   */
  public void extend(Session session, long idleMillis) {
    Watch w = watched.get(session);
    if (w != null) {
      w.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    } else if (session.isOpen() && session.getMaxIdleTimeout() > 0) {
      session.setMaxIdleTimeout(idleMillis); // Tyrus keeps its idle time (see watch)
    }
  }

  /** A message came from the session. */
  public void heard(Session session) {
    Watch w = watched.get(session);
    if (w != null) w.lastHeard = clock.getAsLong();
  }

  /** The session closed. */
  public void forget(Session session) {
    watched.remove(session);
  }

  /** Sessions watched now. */
  public int watching() {
    return watched.size();
  }

  /** Closes every watched session silent for longer than its idle time; returns how many. */
  int sweep() {
    long now = clock.getAsLong();
    int closed = 0;
    for (Watch w : watched.values()) {
      if (now - w.lastHeard <= w.idleNanos) continue;
      watched.remove(w.session);
      closed++;
      try {
        if (w.session.isOpen()) {
          w.session.close(
              new CloseReason(
                  CloseReason.CloseCodes.getCloseCode(IDLE_CODE),
                  "nothing received for " + TimeUnit.NANOSECONDS.toMillis(w.idleNanos) + " ms"));
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "closing an idle volunteer session", e);
      }
    }
    return closed;
  }

  /** {@link #adopt} for any object shaped like Tyrus's session: for the unit test. */
  boolean adoptForTest(Object session) {
    return adopt(session, timers);
  }

  private boolean adopt(Object session, ScheduledExecutorService target) {
    try {
      Field f = field;
      if (f == null || !f.getDeclaringClass().isInstance(session)) {
        f = find(session.getClass());
        if (f == null) {
          warnOnce("no '" + FIELD + "' executor field in " + session.getClass().getName());
          return false;
        }
        f.setAccessible(true);
        field = f;
      }
      f.set(session, target);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      warnOnce("cannot replace the timer executor of " + session.getClass().getName(), e);
      return false;
    }
  }

  private static Field find(Class<?> type) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.getName().equals(FIELD)
            && f.getType() == ScheduledExecutorService.class
            && !Modifier.isStatic(f.getModifiers())
            && !Modifier.isFinal(f.getModifiers())) {
          return f;
        }
      }
    }
    return null;
  }

  private void warnOnce(String what, Throwable... cause) {
    if (warned.compareAndSet(false, true)) {
      LOG.log(
          Level.WARNING,
          what
              + ": volunteer sessions keep the container's idle timer (slower per message,"
              + " otherwise the same)",
          cause.length > 0 ? cause[0] : null);
    }
  }
}
