package surge.jobs.boundary;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import java.time.Instant;
import java.util.Optional;
import surge.jobs.control.JobView;

/** The JSON form of a job's status (docs/api.md). */
final class JobJson {
  // Looked up once: every Json.createObjectBuilder() looks the provider up again with a
  // ServiceLoader scan of the web application's class path, and clients poll job status often.
  private static final JsonProvider JSON = JsonProvider.provider();

  private JobJson() {}

  static JsonObject of(JobView v) {
    var tasks =
        JSON.createObjectBuilder()
            .add("total", v.total())
            .add("queued", v.queued())
            .add("leased", v.leased())
            .add("done", v.done())
            .add("failed", v.failed());
    var o =
        JSON.createObjectBuilder()
            .add("id", v.id())
            .add("state", v.state().name())
            .add("tasks", tasks)
            .add("priority", v.priority())
            .add("createdAt", v.createdAt().toString());
    optional(o, "name", v.name());
    optional(o, "owner", v.owner());
    optionalInstant(o, "deadline", v.deadline());
    optional(o, "slurmJobId", v.slurmJobId());
    optionalInstant(o, "startedAt", v.startedAt());
    optionalInstant(o, "finishedAt", v.finishedAt());
    if (v.resultSize().isPresent()) {
      o.add("resultSize", v.resultSize().get());
    } else {
      o.addNull("resultSize");
    }
    if (v.verification().isPresent()) {
      var r = v.verification().get();
      var ver =
          JSON.createObjectBuilder()
              .add("mode", r.mode())
              .add("compare", r.compare())
              .add("tasksAccepted", r.accepted())
              .add("results", r.results())
              .add("serverRuns", r.serverRuns())
              .add("work", Math.round(r.work() * 1000) / 1000.0)
              .add("spotChecks", r.spotChecks())
              .add("disagreements", r.disagreements())
              .add("blacklisted", r.blacklisted())
              .add("recomputed", r.recomputed())
              .add("summary", r.summary());
      r.targetError().ifPresent(e -> ver.add("targetError", e));
      o.add("verification", ver);
    }
    if (v.error().isPresent()) {
      var e = v.error().get();
      var err = JSON.createObjectBuilder().add("message", e.message());
      e.task().ifPresent(t -> err.add("task", t));
      e.exitCode().ifPresent(c -> err.add("exitCode", c));
      e.stderrTail().ifPresent(s -> err.add("stderrTail", s));
      o.add("error", err);
    } else {
      o.addNull("error");
    }
    return o.build();
  }

  private static void optional(JsonObjectBuilder o, String name, Optional<String> value) {
    if (value.isPresent()) {
      o.add(name, value.get());
    } else {
      o.addNull(name);
    }
  }

  private static void optionalInstant(JsonObjectBuilder o, String name, Optional<Instant> value) {
    optional(o, name, value.map(Instant::toString));
  }
}
