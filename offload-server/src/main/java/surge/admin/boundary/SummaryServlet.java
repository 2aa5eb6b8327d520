package surge.admin.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import surge.audit.control.Audit;
import surge.consent.control.Consents;
import surge.dispatch.Dispatcher;
import surge.identity.boundary.Callers;
import surge.jobs.control.JobView;
import surge.jobs.control.Jobs;
import surge.kernels.control.Approvals;
import surge.kernels.control.KernelGate;
import surge.kernels.entity.KernelApproval;
import surge.ops.control.Throughput;
import surge.policies.VerificationPolicy;
import surge.verification.control.StoredStandings;

/**
 * {@code GET /admin/api/summary}: everything the dashboard shows, polled every few seconds: recent
 * jobs with their counts and Slurm JobIds, volunteers online, throughput samples, consent counts,
 * the kernel policy and the kernels approved.
 */
@WebServlet("/admin/api/summary")
public class SummaryServlet extends HttpServlet {
  private static final int JOBS = 50;
  private static final int EVENTS = 20;

  /** Volunteer identities shown, most recently changed first. */
  private static final int STANDINGS = 20;

  @Inject Dispatcher dispatcher;
  @Inject Jobs jobs;
  @Inject Throughput throughput;
  @Inject Audit audit;
  @Inject Approvals approvals;
  @Inject KernelGate kernelGate;
  @Inject StoredStandings standings;
  @Inject VerificationPolicy verificationPolicy;
  @Inject Consents consentRecords;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    var stats = dispatcher.stats();
    JsonArrayBuilder recentJobs = Json.createArrayBuilder();
    for (JobView j : jobs.list(Callers.of(req), Optional.empty(), JOBS)) {
      var job =
          Json.createObjectBuilder()
              .add("id", j.id())
              .add("name", j.name().orElse(""))
              .add("owner", j.owner().orElse(""))
              .add("state", j.state().name())
              .add("total", j.total())
              .add("done", j.done())
              .add("failed", j.failed())
              .add("queued", j.queued())
              .add("leased", j.leased())
              .add("createdAt", j.createdAt().toString());
      j.slurmJobId()
          .ifPresentOrElse(id -> job.add("slurmJobId", id), () -> job.addNull("slurmJobId"));
      recentJobs.add(job);
    }
    JsonArrayBuilder throughput = Json.createArrayBuilder();
    this.throughput
        .samples()
        .forEach(
            s -> throughput.add(Json.createArrayBuilder().add(s.epochMillis()).add(s.perSecond())));
    JsonArrayBuilder events = Json.createArrayBuilder();
    audit.recent(EVENTS).forEach(e -> events.add(Audit.json(e)));
    JsonArrayBuilder approved = Json.createArrayBuilder();
    for (KernelApproval a : approvals.inForceAndRevoked()) {
      if (a.inForce()) {
        approved.add(
            Json.createObjectBuilder()
                .add("sha256", a.sha256())
                .add("note", a.note())
                .add("approvedBy", a.approvedBy())
                .add("approvedAt", a.approvedAt().toString()));
      }
    }
    JsonArrayBuilder volunteers = Json.createArrayBuilder();
    for (var v : standings.all(STANDINGS)) {
      var o =
          Json.createObjectBuilder()
              .add("identity", v.identity())
              .add("trusted", v.trusted())
              .add("credibility", verificationPolicy.credibility(v.history()))
              .add("spotChecksPassed", v.spotPassed())
              .add("agreements", v.agreements())
              .add("disagreements", v.disagreements())
              .add("barred", v.barredEverywhere() || !v.barredOwners().isEmpty());
      if (v.caughtFor() != null) {
        o.add("caughtFor", v.caughtFor());
      }
      volunteers.add(o);
    }
    var consents = consentRecords.counts();
    var body =
        Json.createObjectBuilder()
            .add("now", System.currentTimeMillis())
            .add("volunteers", stats.volunteers())
            .add(
                "tasks",
                Json.createObjectBuilder()
                    .add("queued", stats.queued())
                    .add("leased", stats.leased())
                    .add("done", stats.completedTotal())
                    .add("failed", stats.failedTotal()))
            .add("jobs", recentJobs)
            .add("throughput", throughput)
            .add("audit", events)
            .add("kernelPolicy", kernelGate.policy().name())
            .add("approvedKernels", approved)
            .add("verificationPolicy", verificationPolicy.name())
            .add("volunteerStandings", volunteers)
            .add(
                "consents",
                Json.createObjectBuilder()
                    .add("accepted", consents.accepted())
                    .add("declined", consents.declined())
                    .add("revoked", consents.revoked()))
            .build();
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.getWriter().write(body.toString());
  }
}
