package surge.kernels.control;

import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import surge.api.Problem;
import surge.identity.control.Caller;
import surge.policies.KernelPolicy;
import surge.policies.KernelRequest;

/** Asks the kernel policy (SURGE_KERNEL_POLICY) before a job's kernel or reducer may run. */
public final class KernelGate {
  private static final Logger LOG = Logger.getLogger(KernelGate.class.getName());

  private final KernelPolicy policy;
  private final Approvals approvals;

  public KernelGate(KernelPolicy policy, Approvals approvals) {
    this.policy = policy;
    this.approvals = approvals;
  }

  /**
   * @throws Problem 403 naming the field and saying how to get the kernel approved
   */
  public void check(Caller caller, String kernel, Optional<String> reducer) {
    check(caller, kernel, KernelRequest.Use.TASKS, "kernel");
    reducer.ifPresent(r -> check(caller, r, KernelRequest.Use.REDUCER, "merge.kernel"));
  }

  /** A kernel the server runs for a job besides its reducer: its validator ({@code compare}). */
  public void checkServerKernel(Caller caller, String sha256, String field) {
    check(caller, sha256, KernelRequest.Use.REDUCER, field);
  }

  private void check(Caller caller, String sha256, KernelRequest.Use use, String field) {
    var role = caller.operator() ? KernelRequest.Role.OPERATOR : KernelRequest.Role.USER;
    var decision = policy.decide(new KernelRequest(caller.name(), role, sha256, use), approvals);
    if (!decision.allowed()) {
      LOG.info(
          () ->
              caller.name()
                  + " may not run "
                  + use.name().toLowerCase(Locale.ROOT)
                  + " "
                  + sha256
                  + ": "
                  + decision);
      throw Problem.forbidden(field, decision.detail());
    }
  }

  public KernelPolicy policy() {
    return policy;
  }
}
