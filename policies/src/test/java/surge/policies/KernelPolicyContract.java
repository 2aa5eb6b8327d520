package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KernelPolicy} must do, whatever else it checks. Extend this, implement {@link
 * #policy()}, and {@link #acceptable()} with a request the policy allows given {@link
 * #approvals()}.
 */
public abstract class KernelPolicyContract {
  protected static final String APPROVED = "a1".repeat(32);
  protected static final String UNKNOWN = "b2".repeat(32);

  protected abstract KernelPolicy policy();

  /** A request the policy allows, given {@link #approvals()}. */
  protected abstract KernelRequest acceptable();

  /** The approvals in force for the tests: {@link #APPROVED} approved by an operator. */
  protected KernelApprovals approvals() {
    var approval =
        new KernelApprovals.Approval(
            APPROVED, "contract test", "operator", Instant.parse("2026-12-01T10:00:00Z"));
    return sha -> Optional.ofNullable(Map.of(APPROVED, approval).get(sha));
  }

  /** Requests of every shape: approved or not, each role and use, odd names. */
  protected List<KernelRequest> variety() {
    List<KernelRequest> all = new ArrayList<>();
    all.add(acceptable());
    for (String sha : List.of(APPROVED, UNKNOWN)) {
      for (var role : KernelRequest.Role.values()) {
        for (var use : KernelRequest.Use.values()) {
          for (String user : List.of("alice", "bob", "ünïcødé", "x".repeat(300))) {
            all.add(new KernelRequest(user, role, sha, use));
          }
        }
      }
    }
    return all;
  }

  static List<String> malformed() {
    return List.of("", "abc", "A1".repeat(32), "a1".repeat(31), "g".repeat(64), "../".repeat(20));
  }

  @Test
  void allowsTheAcceptableRequest() {
    var d = policy().decide(acceptable(), approvals());
    assertThat(d.allowed()).as("%s", d).isTrue();
    assertThat(d.reason()).isEqualTo(KernelDecision.Reason.ALLOWED);
  }

  @Test
  void neverAllowsAMalformedSha256() {
    for (var r : variety()) {
      for (String bad : malformed()) {
        var request = new KernelRequest(r.user(), r.role(), bad, r.use());
        var d = policy().decide(request, sha -> Optional.of(approvalOf(sha)));
        assertThat(d.allowed()).as("%s: %s", request, d).isFalse();
      }
    }
  }

  @Test
  void alwaysAnswersWithAReasonAndARefusalNamesTheKernel() {
    for (var r : variety()) {
      for (var approvals : List.of(approvals(), KernelApprovals.none())) {
        var d = policy().decide(r, approvals);
        assertThat(d).as("%s", r).isNotNull();
        assertThat(d.detail()).isNotBlank();
        assertThat(d.allowed()).isEqualTo(d.reason().allowed());
        if (!d.allowed()) {
          assertThat(d.detail()).as("a refusal names the kernel").contains(r.sha256());
        }
      }
    }
  }

  @Test
  void givesTheSameAnswerWhenAskedAgain() {
    for (var r : variety()) {
      assertThat(policy().decide(r, approvals())).isEqualTo(policy().decide(r, approvals()));
    }
  }

  @Test
  void hasAName() {
    assertThat(policy().name()).matches("[a-z0-9]+(-[a-z0-9]+)*");
  }

  /** Built-ins, and a centre's policy when its jar registers it, are found by name. */
  protected boolean registered() {
    return true;
  }

  @Test
  void isFoundByItsNameWhenRegistered() {
    if (!registered()) {
      return;
    }
    var loader = policy().getClass().getClassLoader();
    assertThat(KernelPolicies.named(policy().name(), loader)).isInstanceOf(policy().getClass());
    assertThat(ServiceLoader.load(KernelPolicy.class, loader).stream().count()).isPositive();
  }

  private static KernelApprovals.Approval approvalOf(String sha) {
    return new KernelApprovals.Approval(sha, "any", "operator", Instant.EPOCH);
  }
}
