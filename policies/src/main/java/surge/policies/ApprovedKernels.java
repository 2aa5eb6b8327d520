package surge.policies;

/**
 * The default kernel policy ({@code approved}): a kernel runs only once an operator has approved
 * its sha256, whoever submits it. Operators approve, list and revoke with {@code bin/surge admin
 * kernel} (or {@code PUT/GET/DELETE /api/admin/kernels/...}).
 */
public final class ApprovedKernels implements KernelPolicy {
  public static final String NAME = "approved";

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
    String what = request.use() == KernelRequest.Use.REDUCER ? "reducer kernel " : "kernel ";
    return approvals
        .approval(request.sha256())
        .map(
            a ->
                KernelDecision.allow(
                    what
                        + request.sha256()
                        + " was approved by "
                        + a.approvedBy()
                        + " at "
                        + a.approvedAt()))
        .orElseGet(
            () ->
                KernelDecision.refuse(
                    KernelDecision.Reason.NOT_APPROVED,
                    what
                        + request.sha256()
                        + " is not approved to run here; ask an operator to review it and run: "
                        + KernelPolicy.approveCommand(request.sha256())));
  }

  @Override
  public String toString() {
    return "kernel policy approved (operator-approved kernels only)";
  }
}
