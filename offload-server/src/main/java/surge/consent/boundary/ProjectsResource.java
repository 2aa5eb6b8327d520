package surge.consent.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.api.Problem;
import surge.consent.control.Consents;
import surge.consent.control.Project;

/** {@code GET /api/projects/{id}}: what the consent banner shows before asking. */
@Path("/projects")
public class ProjectsResource {
  @Inject Consents consents;
  @Context UriInfo uri;

  @GET
  @Path("/{id}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "A project volunteers may consent to, with its current revision")
  public String project(@PathParam("id") String id) {
    Project p =
        consents.projects().find(id).orElseThrow(() -> Problem.notFound("no project '" + id + "'"));
    var levels = Json.createArrayBuilder();
    p.cpuLevels().forEach(levels::add);
    // The banner runs on another site: a relative link would point there.
    String details =
        p.detailsUrl()
            .orElseGet(() -> uri.getBaseUri().resolve("../surge/project/" + p.id()).toString());
    return Json.createObjectBuilder()
        .add("id", p.id())
        .add("centre", p.centre())
        .add("name", p.name())
        .add("purpose", p.purpose())
        .add("detailsUrl", details)
        .add("revision", p.revision())
        .add("cpuLevels", levels)
        .build()
        .toString();
  }
}
