package surge.admin.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  final AtomicLong now = new AtomicLong(10_000_000);
  final AtomicLong slept = new AtomicLong();
  final LoginThrottle throttle =
      new LoginThrottle(
          1_000,
          Duration.ofSeconds(5),
          300,
          now::get,
          millis -> {
            slept.addAndGet(millis);
            now.addAndGet(millis);
          });

  boolean attempt(String address, boolean right) throws Exception {
    return throttle.attempt(address, () -> right);
  }

  @Test
  void eachFailureDoublesTheWaitBeforeTheNextCheckUpToTheCap() throws Exception {
    assertThat(throttle.delayMillis("a")).isZero();
    attempt("a", false);
    assertThat(throttle.delayMillis("a")).isEqualTo(250);
    attempt("a", false);
    assertThat(throttle.delayMillis("a")).isEqualTo(500);
    for (int i = 0; i < 20; i++) {
      attempt("a", false);
    }
    assertThat(throttle.delayMillis("a")).isEqualTo(5_000);
    assertThat(throttle.delayMillis("b")).as("another address").isZero();
  }

  @Test
  void theRightPasswordIsCheckedAfterTheWaitAndClearsTheAddress() throws Exception {
    for (int i = 0; i < 10; i++) {
      assertThat(attempt("a", false)).isFalse();
    }
    slept.set(0);
    assertThat(attempt("a", true)).isTrue();
    assertThat(slept.get()).isEqualTo(5_000);
    assertThat(throttle.delayMillis("a")).isZero();
  }

  @Test
  void guessingIsAsSlowAsTheWaitsAddUp() throws Exception {
    long start = now.get();
    for (int i = 0; i < 100; i++) {
      attempt("a", false);
    }
    assertThat(now.get() - start).as("100 guesses take minutes").isGreaterThan(400_000);
  }

  @Test
  void floodingTheTableFromOtherAddressesDoesNotWipeAnAddresssWait() throws Exception {
    // A flood within one minute: the sleeper does not move the clock.
    var throttle = new LoginThrottle(1_000, Duration.ofSeconds(5), 300, now::get, slept::addAndGet);
    for (int i = 0; i < 10; i++) {
      throttle.attempt("attacker", () -> false);
    }
    long before = throttle.delayMillis("attacker");
    // Today's code clears the whole table after 10,000 addresses; here the table holds 1,000.
    for (int i = 0; i < 2_000; i++) {
      throttle.attempt("10.0." + (i / 250) + "." + (i % 250), () -> false);
    }
    assertThat(throttle.addresses()).isLessThanOrEqualTo(1_000);
    assertThat(throttle.delayMillis("attacker"))
        .as("evicted or not, the global failure budget keeps the wait")
        .isGreaterThanOrEqualTo(before);
    assertThat(throttle.delayMillis("a-fresh-address")).isEqualTo(5_000);
  }

  @Test
  void theGlobalBudgetSlowsGuessesSpreadOverManyAddresses() throws Exception {
    for (int i = 0; i < 299; i++) {
      attempt("spread-" + i, false);
    }
    assertThat(throttle.delayMillis("spread-new")).isZero();
    attempt("spread-last", false);
    assertThat(throttle.delayMillis("spread-new")).isEqualTo(5_000);
  }

  @Test
  void failuresAreForgottenAfterAQuarterOfAnHour() throws Exception {
    attempt("a", false);
    attempt("a", false);
    now.addAndGet(16 * 60_000);
    assertThat(throttle.delayMillis("a")).isZero();
  }

  @Test
  void aSecondCheckFromTheSameAddressWaitsForTheFirst() throws Exception {
    var real =
        new LoginThrottle(
            10, Duration.ofMillis(300), 1000, System::currentTimeMillis, Thread::sleep);
    var inside = new java.util.concurrent.atomic.AtomicInteger();
    var most = new java.util.concurrent.atomic.AtomicInteger();
    Runnable guess =
        () -> {
          try {
            real.attempt(
                "a",
                () -> {
                  most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                  try {
                    Thread.sleep(50);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  inside.decrementAndGet();
                  return false;
                });
          } catch (Exception e) {
            // Busy is fine here.
          }
        };
    var threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      threads[i] = new Thread(guess);
      threads[i].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(most.get()).isEqualTo(1);
  }
}
