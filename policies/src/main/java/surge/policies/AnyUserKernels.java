package surge.policies;

/**
 * The kernel policy {@code any-user}: any authenticated user may run any kernel that passed the
 * server's checks. For a centre whose users are all trusted with the volunteers' machines, and for
 * tests that are not about approval.
 */
public final class AnyUserKernels implements KernelPolicy {
  public static final String NAME = "any-user";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public KernelDecision decide(KernelRequest request, KernelApprovals approvals) {
    var basic = KernelPolicy.preconditions(request);
    if (basic.isPresent()) {
      return basic.get();
    }
    return KernelDecision.allow(
        "kernel "
            + request.sha256()
            + " may run: the kernel policy any-user lets every authenticated user ("
            + request.user()
            + ") submit any kernel");
  }

  @Override
  public String toString() {
    return "kernel policy any-user (every authenticated user, any kernel)";
  }
}
