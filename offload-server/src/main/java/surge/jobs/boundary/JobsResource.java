package surge.jobs.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.api.Problem;
import surge.identity.boundary.Callers;
import surge.jobs.control.Jobs;
import surge.jobs.entity.JobState;

/** Submit, follow, cancel jobs and fetch their merged results; each caller sees their own. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {
  @Inject Jobs jobs;
  @Context SecurityContext security;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Submit a job (see docs/api.md for the fields)")
  public Response submit(String body) {
    var view = jobs.submit(Callers.of(security), body);
    return Response.created(URI.create("/api/jobs/" + view.id()))
        .entity(JobJson.of(view).toString())
        .build();
  }

  @GET
  @Operation(summary = "Recent jobs, newest first")
  public String list(
      @QueryParam("state") String state, @QueryParam("limit") @DefaultValue("50") int limit) {
    Optional<JobState> filter = Optional.empty();
    if (state != null && !state.isBlank()) {
      try {
        filter = Optional.of(JobState.valueOf(state.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw Problem.badField(
            "state", "state must be one of " + java.util.Arrays.toString(JobState.values()));
      }
    }
    if (limit < 1 || limit > 1000) {
      throw Problem.badField("limit", "limit must be between 1 and 1000");
    }
    var array = Json.createArrayBuilder();
    jobs.list(Callers.of(security), filter, limit).forEach(v -> array.add(JobJson.of(v)));
    return array.build().toString();
  }

  @GET
  @Path("/{id}")
  @Operation(summary = "A job's state and progress counts")
  public String status(@PathParam("id") String id) {
    return JobJson.of(jobs.status(Callers.of(security), id)).toString();
  }

  @GET
  @Path("/{id}/result")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  @Operation(summary = "The merged result of a job that has SUCCEEDED")
  public Response result(@PathParam("id") String id) {
    byte[] bytes = jobs.result(Callers.of(security), id);
    return Response.ok(bytes, MediaType.APPLICATION_OCTET_STREAM_TYPE).build();
  }

  @POST
  @Path("/{id}/cancel")
  @Operation(summary = "Cancel a job; its running tasks are cancelled on the volunteers")
  public String cancel(@PathParam("id") String id) {
    return JobJson.of(jobs.cancel(Callers.of(security), id, "cancelled by request")).toString();
  }
}
