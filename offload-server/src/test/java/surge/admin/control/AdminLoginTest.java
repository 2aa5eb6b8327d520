package surge.admin.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import surge.identity.control.Caller;

class AdminLoginTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final AtomicLong slept = new AtomicLong();
  final AdminLogin login =
      new AdminLogin(
          Optional.of("s3cret-pass"),
          new LoginThrottle(100, Duration.ofSeconds(5), 50, now::get, slept::addAndGet));
  static final Caller BOB = new Caller("bob", Caller.Role.OPERATOR, "token");

  static String basic(String user, String password) {
    return Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  AdminLogin.Outcome check(String address, String credentials) throws InterruptedException {
    return login.check(
        address,
        credentials,
        t -> t.equals("surge_bobs-token") ? Optional.of(BOB) : Optional.empty());
  }

  @Test
  void theAdminWithThePasswordOrAnyoneWithATokenIsAllowedAndNobodyElse() throws Exception {
    assertThat(check("a", basic("admin", "s3cret-pass")))
        .isEqualTo(new AdminLogin.Allowed(new Caller("admin", Caller.Role.OPERATOR, "password")));
    assertThat(check("a", basic("anyone", "surge_bobs-token")))
        .isEqualTo(new AdminLogin.Allowed(BOB));
    assertThat(check("a", basic("admin", "s3cret-pasS"))).isInstanceOf(AdminLogin.Refused.class);
    assertThat(check("a", basic("root", "s3cret-pass"))).isInstanceOf(AdminLogin.Refused.class);
    assertThat(check("a", "%%%")).isInstanceOf(AdminLogin.Refused.class);
  }

  @Test
  void withoutAPasswordOnlyATokenOpensTheDashboard() throws Exception {
    var off = new AdminLogin(Optional.empty(), LoginThrottle.standard(now::get));
    assertThat(off.passwordSet()).isFalse();
    assertThat(off.check("a", basic("admin", ""), t -> Optional.empty()))
        .isInstanceOf(AdminLogin.Refused.class);
    assertThat(off.check("a", basic("x", "surge_bobs-token"), t -> Optional.of(BOB)))
        .isEqualTo(new AdminLogin.Allowed(BOB));
  }

  @Test
  void manyWrongPasswordsFromTheAdminsAddressDoNotLockTheRightOneOut() throws Exception {
    for (int i = 0; i < 50; i++) {
      assertThat(check("proxy", basic("admin", "guess" + i)))
          .isInstanceOf(AdminLogin.Refused.class);
    }
    slept.set(0);
    assertThat(check("proxy", basic("admin", "s3cret-pass")))
        .as("today's code answers THROTTLED here for a minute")
        .isInstanceOf(AdminLogin.Allowed.class);
    assertThat(slept.get()).as("slowed, at most by the cap").isBetween(1L, 5_000L);
  }
}
