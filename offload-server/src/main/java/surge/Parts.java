package surge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import surge.audit.control.Audit;
import surge.config.Settings;
import surge.consent.control.Consents;
import surge.consent.control.Origins;
import surge.dispatch.Dispatcher;
import surge.http.BodyLimits;
import surge.identity.control.ApiTokens;
import surge.identity.control.Authenticator;
import surge.identity.control.VolunteerKeys;
import surge.jobs.control.Inputs;
import surge.jobs.control.Jobs;
import surge.kernels.control.Approvals;
import surge.kernels.control.KernelGate;
import surge.kernels.control.Kernels;
import surge.ops.control.Health;
import surge.ops.control.Metrics;
import surge.ops.control.Throughput;
import surge.policies.VerificationPolicy;
import surge.quotas.control.Quotas;
import surge.verification.control.StoredStandings;

/**
 * Hands the started server's parts to the container: a boundary {@code @Inject}s the one control it
 * uses and sees nothing else. The parts are made once, in order, by {@link Server} (they need the
 * settings, own threads and are closed in order); each producer here is {@code @Dependent}, so the
 * container adds no proxy and every injection gets that one instance. A new part: build it in
 * {@code Server}, add a producer here, inject it where it is used.
 */
@ApplicationScoped
public class Parts {
  private final Surge surge;

  @Inject
  Parts(Surge surge) {
    this.surge = surge;
  }

  /** For the container's proxy only. */
  protected Parts() {
    this.surge = null;
  }

  @Produces
  Settings settings() {
    return surge.server().settings;
  }

  @Produces
  BodyLimits bodyLimits() {
    return BodyLimits.of(surge.server().settings);
  }

  @Produces
  Jobs jobs() {
    return surge.server().jobs;
  }

  @Produces
  Inputs inputs() {
    return surge.server().inputs;
  }

  @Produces
  Kernels kernels() {
    return surge.server().kernels;
  }

  @Produces
  Approvals approvals() {
    return surge.server().approvals;
  }

  @Produces
  KernelGate kernelGate() {
    return surge.server().kernelGate;
  }

  @Produces
  Quotas quotas() {
    return surge.server().quotas;
  }

  @Produces
  Audit audit() {
    return surge.server().audit;
  }

  @Produces
  Dispatcher dispatcher() {
    return surge.server().dispatcher;
  }

  @Produces
  Consents consents() {
    return surge.server().consents;
  }

  @Produces
  Origins origins() {
    return surge.server().origins;
  }

  @Produces
  ApiTokens tokens() {
    return surge.server().tokens;
  }

  @Produces
  VolunteerKeys volunteerKeys() {
    return surge.server().volunteerKeys;
  }

  @Produces
  Authenticator authenticator() {
    return surge.server().authenticator;
  }

  @Produces
  StoredStandings standings() {
    return surge.server().standings;
  }

  @Produces
  VerificationPolicy verificationPolicy() {
    return surge.server().verificationPolicy;
  }

  @Produces
  Metrics metrics() {
    return surge.server().metrics;
  }

  @Produces
  Throughput throughput() {
    return surge.server().throughput;
  }

  @Produces
  Health health() {
    return surge.server().health;
  }
}
