package surge.volunteers.boundary;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.websocket.Session;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The executor that re-arms the volunteer sessions' idle timeouts, instead of Payara's.
 *
 * <p>Tyrus, Payara's WebSocket implementation, re-arms a session's idle timeout on every frame in
 * and out: it cancels the pending timeout and schedules a new one on the container's scheduled
 * executor. In Payara that is the default {@code ManagedScheduledExecutorService}, which captures
 * the calling thread's context on every {@code schedule} (a {@code ServiceLoader} scan over the web
 * application's class path): 22-30 % of the server's CPU with two noop volunteers
 * (docs/benchmarks/coldstart.md). Setting no idle timeout does not help; Tyrus schedules anyway.
 *
 * <p>{@link #adopt} points the session's executor at one plain {@link ScheduledThreadPoolExecutor}
 * owned here (one daemon thread, cancelled timeouts removed at once), so a re-arm costs a heap
 * insert and removal. The idle timeout itself stays as it was: a session silent for its maximum
 * idle time is closed by Tyrus, now from this thread. If this Tyrus has no such field (another
 * version), the session keeps the container's executor and this is logged once.
 */
@ApplicationScoped
public class IdleTimers {
  private static final Logger LOG = Logger.getLogger(IdleTimers.class.getName());

  /** TyrusSession's field holding the container's scheduled executor (Tyrus 2.1). */
  static final String FIELD = "service";

  private ScheduledThreadPoolExecutor executor;
  private final AtomicBoolean warned = new AtomicBoolean();
  private volatile Field field;

  @PostConstruct
  void start() {
    // The idle timeout closes the session and runs the endpoint's @OnClose: with the web
    // application's class loader, as on Payara's threads.
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "surge-ws-idle");
              t.setDaemon(true);
              t.setContextClassLoader(loader);
              return t;
            });
    // One pending timeout per session, re-armed per frame: without this every cancelled one
    // would stay queued until its (minutes away) deadline.
    executor.setRemoveOnCancelPolicy(true);
  }

  /**
   * Makes the session's idle timeout run on this executor. Call before the session's first message,
   * then set the idle timeout (which re-arms it here).
   *
   * @return whether the session now uses this executor
   */
  public boolean adopt(Session session) {
    return adopt(session, executor);
  }

  /** {@link #adopt(Session)} for any object shaped like Tyrus's session: for the unit test. */
  boolean adoptForTest(Object session) {
    return adopt(session, executor);
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
      warnOnce("cannot replace the idle-timeout executor of " + session.getClass().getName(), e);
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

  /** Timeouts pending: one per open session that adopted this executor. */
  public int pending() {
    return executor.getQueue().size();
  }

  private void warnOnce(String what, Exception... cause) {
    if (warned.compareAndSet(false, true)) {
      LOG.log(
          Level.WARNING,
          what
              + ": volunteer sessions keep the container's idle timer (slower per message,"
              + " otherwise the same)",
          cause.length > 0 ? cause[0] : null);
    }
  }

  @PreDestroy
  void stop() {
    executor.shutdownNow();
  }
}
