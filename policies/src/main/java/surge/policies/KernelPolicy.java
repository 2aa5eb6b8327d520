package surge.policies;

import java.util.Optional;

/**
 * Which kernels may run on the public's machines (and reducers on the server): asked at every job
 * submission, for the job's kernel and for its reducer. The server answers a refusal with a 403
 * that quotes {@link KernelDecision#detail()}.
 *
 * <p>The server chooses a policy by name (SURGE_KERNEL_POLICY) among those {@link
 * java.util.ServiceLoader} finds: the built-ins {@code approved} ({@link ApprovedKernels}) and
 * {@code any-user} ({@link AnyUserKernels}), or a centre's own, listed in its jar's {@code
 * META-INF/services/surge.policies.KernelPolicy} (see {@link KernelPolicies}).
 *
 * <p>Every implementation must pass {@code KernelPolicyContract} (in this module's test-jar): it
 * never allows a malformed sha256, always says why, and a refusal names the kernel. {@link
 * #preconditions} does the first check for an implementation that wants it.
 */
public interface KernelPolicy {

  /** The name SURGE_KERNEL_POLICY selects this policy by: lower case, digits and dashes. */
  String name();

  /** Decides on {@code request}, reading {@code approvals} as it needs; never null. */
  KernelDecision decide(KernelRequest request, KernelApprovals approvals);

  /** The refusal every policy owes a request whose sha256 is malformed, if any. */
  static Optional<KernelDecision> preconditions(KernelRequest request) {
    if (!request.wellFormed()) {
      return Optional.of(
          KernelDecision.refuse(
              KernelDecision.Reason.MALFORMED,
              "'"
                  + request.sha256()
                  + "' is not a kernel's sha256 (64 lower-case hex digits); upload the kernel and"
                  + " use the sha256 the server answers"));
    }
    return Optional.empty();
  }

  /** The command an operator runs to approve a kernel, for refusals to quote. */
  static String approveCommand(String sha256) {
    return "bin/surge admin kernel approve " + sha256 + " --note TEXT";
  }
}
