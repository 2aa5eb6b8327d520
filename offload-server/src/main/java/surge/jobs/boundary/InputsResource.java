package surge.jobs.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.identity.boundary.Callers;
import surge.jobs.control.Inputs;

/** Upload input files that jobs split among their tasks. */
@Path("/inputs")
public class InputsResource {
  @Inject Inputs inputs;
  @Context SecurityContext security;

  @POST
  @Consumes({MediaType.APPLICATION_OCTET_STREAM, MediaType.TEXT_PLAIN, MediaType.WILDCARD})
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Upload an input file; it is stored by sha256")
  public Response upload(byte[] bytes) {
    var stored = inputs.upload(Callers.of(security), bytes == null ? new byte[0] : bytes);
    var body =
        Json.createObjectBuilder()
            .add("sha256", stored.sha256())
            .add("size", stored.size())
            .build()
            .toString();
    return Response.status(stored.created() ? 201 : 200)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(body)
        .build();
  }
}
