package surge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;
import surge.policies.VolunteerProfile;

class LeasesTest {
  final Leases leases = new Leases();
  final JobRun run =
      new JobRun(DispatcherTest.job("j-1", 4, 0), new BitSet(), 0, DispatchLimits.defaults());
  final Volunteer v = volunteer("v1");

  static Volunteer volunteer(String id) {
    return new Volunteer(
        id,
        new DispatcherTest.FakeChannel(),
        new VolunteerProfile(1, "test"),
        new Allowance(4, 4),
        0,
        new Standing(id, false));
  }

  @Test
  void aGrantIsNumberedAndHeldByItsVolunteerAndItsJob() {
    Lease a = leases.grant(v, run, 0, 1_000, 5_000, false);
    Lease b = leases.grant(v, run, 1, 1_000, 5_000, false);
    assertThat(b.id).isGreaterThan(a.id);
    assertThat(Leases.of(v, a.id)).isSameAs(a);
    assertThat(run.leased).containsKeys(a.id, b.id);
    assertThat(leases.held()).isEqualTo(2);
    assertThat(Leases.holds(v, run, 1)).isTrue();
    assertThat(Leases.holds(v, run, 2)).isFalse();
  }

  @Test
  void anEndedLeaseEndsOnceAndLeavesBothTables() {
    Lease a = leases.grant(v, run, 0, 1_000, 5_000, false);
    assertThat(leases.end(a)).isTrue();
    assertThat(leases.end(a)).isFalse(); // a second sweep of the same job
    assertThat(Leases.current(a)).isFalse();
    assertThat(run.leased).isEmpty();
    assertThat(leases.held()).isZero();
  }

  @Test
  void aLeaseNeverExpiresPastItsTaskLimitWhateverItsHeartbeats() {
    Lease a = leases.grant(v, run, 0, 1_000, 5_000, false);
    Leases.renew(v, 4_500, 1_000);
    assertThat(a.expiresAt).isEqualTo(5_000);
    assertThat(Leases.due(v, 4_999)).isNull();
    assertThat(Leases.due(v, 5_000)).containsExactly(a);
    assertThat(Leases.overLimit(a, 5_000)).isTrue();
  }

  @Test
  void aLeaseNotRenewedIsDueAfterItsExpiryButNotOverItsLimit() {
    Lease a = leases.grant(v, run, 0, 1_000, 5_000, false);
    Lease b = leases.grant(v, run, 1, 1_000, 5_000, false);
    Leases.renew(v, 900, 3_000); // both renewed to 3_900
    assertThat(Leases.due(v, 3_900)).isNull();
    assertThat(Leases.due(v, 3_901)).containsExactlyInAnyOrder(a, b);
    assertThat(Leases.overLimit(a, 3_901)).isFalse();
  }
}
