package surge.volunteers.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Surge's idle-time keeping for volunteer sessions, on stand-ins shaped like Tyrus's session (the
 * real one is exercised on Payara by HostileVolunteerIT and the Volunteer*IT classes).
 */
class IdleSessionsTest {
  /** Shaped like TyrusSession 2.1: the container's executor in a private, non-final field. */
  static class TyrusShaped {
    private ScheduledExecutorService service = Executors.newSingleThreadScheduledExecutor();
    private volatile ScheduledFuture<?> idleTimeoutFuture;

    /** What Tyrus does on every frame: cancel the pending timeout, then schedule a new one. */
    void restartIdleTimeoutExecutor(long millis) {
      if (idleTimeoutFuture != null) idleTimeoutFuture.cancel(false);
      idleTimeoutFuture = service.schedule(new IdleTimeoutCommand(), millis, TimeUnit.MILLISECONDS);
    }

    final AtomicLong idleRuns = new AtomicLong();

    /** Named as Tyrus names its own: TyrusSession$IdleTimeoutCommand. */
    class IdleTimeoutCommand implements Runnable {
      @Override
      public void run() {
        idleRuns.incrementAndGet();
      }
    }
  }

  static class NoExecutor {
    private Object service = new Object();
  }

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final IdleSessions sessions = new IdleSessions(now::get);

  @BeforeEach
  void start() {
    sessions.start();
  }

  @AfterEach
  void stop() {
    sessions.stop();
  }

  @Test
  void tyrusIdleTimeoutsAreDroppedWithoutBeingQueuedHoweverManyFramesPass() throws Exception {
    var session = new TyrusShaped();
    var containers = session.service;
    assertThat(sessions.adoptForTest(session)).isTrue();
    assertThat(session.service).isNotSameAs(containers);
    containers.shutdownNow();

    for (int i = 0; i < 10_000; i++) session.restartIdleTimeoutExecutor(0);
    assertThat(session.idleTimeoutFuture.isCancelled()).isTrue();
    assertThatThrownBy(() -> session.idleTimeoutFuture.get())
        .isInstanceOf(CancellationException.class);
    Thread.sleep(100);
    assertThat(session.idleRuns).as("no Tyrus idle timeout ever runs").hasValue(0);
  }

  @Test
  void anythingElseTyrusSchedulesStillRunsOnSurgesThread() throws Exception {
    var session = new TyrusShaped();
    sessions.adoptForTest(session);
    var ran = new CountDownLatch(1);
    var on = new AtomicReference<String>();
    session.service.schedule(
        () -> {
          on.set(Thread.currentThread().getName());
          ran.countDown();
        },
        10,
        TimeUnit.MILLISECONDS);
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(on.get()).isEqualTo("surge-ws-idle");
    session.service.shutdownNow();
    assertThat(session.service.isShutdown())
        .as("a session cannot stop the shared thread")
        .isFalse();
  }

  @Test
  void anotherShapeKeepsItsExecutorAndIsNotAnError() {
    var other = new NoExecutor();
    var before = other.service;
    assertThat(sessions.adoptForTest(other)).isFalse();
    assertThat(other.service).isSameAs(before);
  }

  @Test
  void aSessionSilentForLongerThanItsIdleTimeIsClosedWith4408AndOnlyThatOne() {
    var quiet = new FakeSession();
    var talking = new FakeSession();
    sessions.track(quiet.session, 30_000);
    sessions.track(talking.session, 30_000);
    assertThat(sessions.watching()).isEqualTo(2);

    now.addAndGet(TimeUnit.SECONDS.toNanos(20));
    sessions.heard(talking.session);
    assertThat(sessions.sweep()).isZero();

    now.addAndGet(TimeUnit.SECONDS.toNanos(11)); // quiet: 31 s; talking: 11 s
    assertThat(sessions.sweep()).isEqualTo(1);
    assertThat(quiet.closedWith.get()).isNotNull();
    assertThat(quiet.closedWith.get().getCloseCode().getCode()).isEqualTo(4408);
    assertThat(quiet.closedWith.get().getReasonPhrase()).contains("30000 ms");
    assertThat(talking.closedWith.get()).isNull();
    assertThat(sessions.watching()).isEqualTo(1);

    now.addAndGet(TimeUnit.SECONDS.toNanos(31));
    assertThat(sessions.sweep()).isEqualTo(1);
    assertThat(talking.closedWith.get()).isNotNull();
  }

  @Test
  void aSessionPastItsHelloGetsTheLongerIdleTimeCountedFromWhatWasLastHeard() {
    var volunteer = new FakeSession();
    sessions.track(volunteer.session, 30_000);
    now.addAndGet(TimeUnit.SECONDS.toNanos(10));
    sessions.heard(volunteer.session);
    sessions.extend(volunteer.session, 360_000);

    now.addAndGet(TimeUnit.SECONDS.toNanos(359)); // past the first idle time, within the second
    assertThat(sessions.sweep()).isZero();
    assertThat(volunteer.closedWith.get()).isNull();

    now.addAndGet(TimeUnit.SECONDS.toNanos(2));
    assertThat(sessions.sweep()).isEqualTo(1);
    assertThat(volunteer.closedWith.get().getReasonPhrase()).contains("360000 ms");
  }

  @Test
  void aClosedSessionIsForgottenAndNeverClosedAgain() {
    var gone = new FakeSession();
    sessions.track(gone.session, 1_000);
    sessions.forget(gone.session);
    now.addAndGet(TimeUnit.SECONDS.toNanos(10));
    assertThat(sessions.sweep()).isZero();
    assertThat(gone.closedWith.get()).isNull();
    sessions.heard(gone.session); // a late message from a forgotten session is nothing
    assertThat(sessions.watching()).isZero();
  }

  /** A jakarta.websocket.Session that records how it was closed. */
  static final class FakeSession {
    final AtomicReference<CloseReason> closedWith = new AtomicReference<>();
    final Map<String, Object> properties = new HashMap<>();
    final Session session =
        (Session)
            Proxy.newProxyInstance(
                Session.class.getClassLoader(),
                new Class<?>[] {Session.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "isOpen" -> closedWith.get() == null;
                      case "close" -> {
                        closedWith.set(args != null ? (CloseReason) args[0] : null);
                        yield null;
                      }
                      case "getUserProperties" -> properties;
                      case "hashCode" -> System.identityHashCode(proxy);
                      case "equals" -> proxy == args[0];
                      case "toString" -> "FakeSession";
                      default -> null;
                    });
  }
}
