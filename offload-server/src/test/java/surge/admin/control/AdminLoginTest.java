package surge.admin.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import surge.admin.control.AdminLogin.Outcome;

class AdminLoginTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final AdminLogin login = new AdminLogin(Optional.of("s3cret-pass"), now::get);

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theAdminWithThePasswordIsAllowedAndNobodyElse() {
    assertThat(login.check("a", basic("admin", "s3cret-pass"))).isEqualTo(Outcome.ALLOWED);
    assertThat(login.check("a", basic("admin", "s3cret-pasS"))).isEqualTo(Outcome.REFUSED);
    assertThat(login.check("a", basic("root", "s3cret-pass"))).isEqualTo(Outcome.REFUSED);
    assertThat(login.check("a", null)).isEqualTo(Outcome.REFUSED);
    assertThat(login.check("a", "Bearer x")).isEqualTo(Outcome.REFUSED);
    assertThat(login.check("a", "Basic %%%")).isEqualTo(Outcome.REFUSED);
  }

  @Test
  void withoutAPasswordNobodyIsAllowed() {
    var off = new AdminLogin(Optional.empty(), now::get);
    assertThat(off.enabled()).isFalse();
    assertThat(off.check("a", basic("admin", ""))).isEqualTo(Outcome.REFUSED);
  }

  @Test
  void tooManyFailuresThrottleTheAddressForAMinuteEvenWithTheRightPassword() {
    for (int i = 0; i < AdminLogin.MAX_FAILURES; i++) {
      assertThat(login.check("a", basic("admin", "guess" + i))).isEqualTo(Outcome.REFUSED);
    }
    assertThat(login.check("a", basic("admin", "s3cret-pass"))).isEqualTo(Outcome.THROTTLED);
    assertThat(login.retryAfterSeconds("a")).isBetween(1L, 60L);
    assertThat(login.check("b", basic("admin", "s3cret-pass")))
        .as("another address")
        .isEqualTo(Outcome.ALLOWED);
    now.addAndGet(61_000);
    assertThat(login.check("a", basic("admin", "s3cret-pass"))).isEqualTo(Outcome.ALLOWED);
  }
}
