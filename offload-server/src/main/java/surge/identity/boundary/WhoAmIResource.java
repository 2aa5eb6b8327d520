package surge.identity.boundary;

import jakarta.json.Json;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.identity.control.Caller;

/** {@code GET /api/whoami}: who the server takes the caller for. */
@Path("/whoami")
@Produces(MediaType.APPLICATION_JSON)
public class WhoAmIResource {
  @Context SecurityContext security;

  @GET
  @Operation(summary = "The caller's user name, role and how they proved it")
  public String whoami() {
    Caller c = Callers.of(security);
    return Json.createObjectBuilder()
        .add("user", c.name())
        .add("role", c.role().wire())
        .add("via", c.via())
        .add("operator", security.isUserInRole("operator"))
        .build()
        .toString();
  }
}
