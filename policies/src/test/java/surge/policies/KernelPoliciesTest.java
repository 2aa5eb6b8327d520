package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KernelPoliciesTest {
  static final ClassLoader LOADER = KernelPoliciesTest.class.getClassLoader();

  @Nested
  class Approved extends KernelPolicyContract {
    @Override
    protected KernelPolicy policy() {
      return new ApprovedKernels();
    }

    @Override
    protected KernelRequest acceptable() {
      return new KernelRequest("alice", KernelRequest.Role.USER, APPROVED, KernelRequest.Use.TASKS);
    }
  }

  @Nested
  class AnyUser extends KernelPolicyContract {
    @Override
    protected KernelPolicy policy() {
      return new AnyUserKernels();
    }

    @Override
    protected KernelRequest acceptable() {
      return new KernelRequest("bob", KernelRequest.Role.USER, UNKNOWN, KernelRequest.Use.REDUCER);
    }
  }

  @Test
  void approvedRefusesAnUnapprovedKernelAndSaysHowToGetItApproved() {
    var d =
        new ApprovedKernels()
            .decide(
                new KernelRequest(
                    "alice",
                    KernelRequest.Role.OPERATOR,
                    "c3".repeat(32),
                    KernelRequest.Use.REDUCER),
                KernelApprovals.none());
    assertThat(d.reason()).isEqualTo(KernelDecision.Reason.NOT_APPROVED);
    assertThat(d.detail())
        .isEqualTo(
            "reducer kernel "
                + "c3".repeat(32)
                + " is not approved to run here; ask an operator to review it and run: bin/surge"
                + " admin kernel approve "
                + "c3".repeat(32)
                + " --note TEXT");
  }

  @Test
  void approvedAllowsAnApprovedKernelAndSaysByWhom() {
    String sha = "d4".repeat(32);
    var approval = new KernelApprovals.Approval(sha, "fire model", "carol", Instant.EPOCH);
    var d =
        new ApprovedKernels()
            .decide(
                new KernelRequest("alice", KernelRequest.Role.USER, sha, KernelRequest.Use.TASKS),
                s -> s.equals(sha) ? Optional.of(approval) : Optional.empty());
    assertThat(d.allowed()).isTrue();
    assertThat(d.detail()).contains("approved by carol");
  }

  @Test
  void findsTheBuiltInsByNameAndNamesThemAllWhenTheNameIsUnknown() {
    assertThat(KernelPolicies.named("approved", LOADER)).isInstanceOf(ApprovedKernels.class);
    assertThat(KernelPolicies.named("any-user", LOADER)).isInstanceOf(AnyUserKernels.class);
    assertThatThrownBy(() -> KernelPolicies.named("everyone", LOADER))
        .hasMessage(
            "SURGE_KERNEL_POLICY names no kernel policy 'everyone'; there are [approved, any-user]");
  }

  @Test
  void aRequestNamesItsUser() {
    assertThatThrownBy(
            () -> new KernelRequest(" ", KernelRequest.Role.USER, "a", KernelRequest.Use.TASKS))
        .hasMessageContaining("user");
  }
}
