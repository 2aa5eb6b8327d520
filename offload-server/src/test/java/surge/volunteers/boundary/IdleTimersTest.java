package surge.volunteers.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The swap of a session's idle-timeout executor, on stand-ins shaped like Tyrus's session (the real
 * one is exercised by VolunteerSocketIT and HostileVolunteerIT on Payara).
 */
class IdleTimersTest {
  /** Shaped like TyrusSession: the container's executor in a private, non-final field. */
  static class FakeSession {
    private ScheduledExecutorService service = Executors.newSingleThreadScheduledExecutor();
    private ScheduledFuture<?> idle;

    /** What Tyrus does on every frame: cancel the pending timeout, schedule a new one. */
    void rearm(Runnable onIdle, long millis) {
      if (idle != null) idle.cancel(false);
      idle = service.schedule(onIdle, millis, TimeUnit.MILLISECONDS);
    }
  }

  static class SubSession extends FakeSession {}

  static class NoExecutor {
    private Object service = new Object();
  }

  private final IdleTimers timers = new IdleTimers();

  @BeforeEach
  void start() {
    timers.start();
  }

  @AfterEach
  void stop() {
    timers.stop();
  }

  @Test
  void aSessionShapedLikeTyrusGetsTheOwnExecutorAndItsTimeoutStillFires() throws Exception {
    FakeSession session = new SubSession();
    var containers = session.service;
    assertThat(timers.adoptForTest(session)).isTrue();
    assertThat(session.service).isNotSameAs(containers);
    containers.shutdownNow();

    var fired = new CountDownLatch(1);
    var on = new AtomicReference<String>();
    session.rearm(
        () -> {
          on.set(Thread.currentThread().getName());
          fired.countDown();
        },
        20);
    assertThat(fired.await(5, TimeUnit.SECONDS)).as("the idle timeout fires").isTrue();
    assertThat(on.get()).isEqualTo("surge-ws-idle");
  }

  @Test
  void reArmingPerFrameKeepsOnePendingTimeoutPerSession() {
    var a = new FakeSession();
    var b = new FakeSession();
    timers.adoptForTest(a);
    timers.adoptForTest(b);
    for (int i = 0; i < 10_000; i++) {
      a.rearm(() -> {}, 600_000);
      b.rearm(() -> {}, 600_000);
    }
    assertThat(timers.pending()).isEqualTo(2);
    a.idle.cancel(false);
    b.idle.cancel(false);
    assertThat(timers.pending()).isZero();
  }

  @Test
  void anotherShapeKeepsItsExecutorAndIsNotAnError() {
    var other = new NoExecutor();
    var before = other.service;
    assertThat(timers.adoptForTest(other)).isFalse();
    assertThat(other.service).isSameAs(before);
  }
}
