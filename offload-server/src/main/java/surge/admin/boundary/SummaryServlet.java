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
import surge.Surge;
import surge.identity.boundary.Callers;
import surge.jobs.control.JobView;

/**
 * {@code GET /admin/api/summary}: everything the dashboard shows, polled every few seconds: recent
 * jobs with their counts and Slurm JobIds, volunteers online, throughput samples, consent counts.
 */
@WebServlet("/admin/api/summary")
public class SummaryServlet extends HttpServlet {
  private static final int JOBS = 50;

  @Inject Surge surge;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    var server = surge.server();
    var stats = server.dispatcher.stats();
    JsonArrayBuilder jobs = Json.createArrayBuilder();
    for (JobView j : server.jobs.list(Callers.of(req), Optional.empty(), JOBS)) {
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
      jobs.add(job);
    }
    JsonArrayBuilder throughput = Json.createArrayBuilder();
    server
        .throughput
        .samples()
        .forEach(
            s -> throughput.add(Json.createArrayBuilder().add(s.epochMillis()).add(s.perSecond())));
    var consents = server.consents.counts();
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
            .add("jobs", jobs)
            .add("throughput", throughput)
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
