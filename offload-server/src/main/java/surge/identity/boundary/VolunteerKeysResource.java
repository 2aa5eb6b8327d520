package surge.identity.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.api.Problem;
import surge.audit.control.Audit;
import surge.identity.control.VolunteerKeys;

/** Keys for the centre's own volunteer machines, for operators. */
@Path("/admin/volunteer-keys")
@Produces(MediaType.APPLICATION_JSON)
public class VolunteerKeysResource {
  @Inject VolunteerKeys volunteerKeys;
  @Inject Audit audit;
  @Context SecurityContext security;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create a volunteer key {name, trusted}; the key is shown only here")
  public Response create(String body) {
    JsonObject o = JsonBodies.object(body);
    if (!(o.get("name") instanceof JsonString name)) {
      throw Problem.badField("name", "name must say which machine the key is for");
    }
    boolean trusted = false;
    if (o.containsKey("trusted")) {
      JsonValue t = o.get("trusted");
      if (t != JsonValue.TRUE && t != JsonValue.FALSE) {
        throw Problem.badField("trusted", "trusted must be true or false");
      }
      trusted = t == JsonValue.TRUE;
    }
    var issued = volunteerKeys.create(name.getString(), trusted);
    audit.record(
        Callers.of(security),
        "key.create",
        issued.id(),
        "for " + issued.name() + (issued.trusted() ? ", trusted" : ""));
    return Response.created(URI.create("/api/admin/volunteer-keys/" + issued.id()))
        .entity(
            Json.createObjectBuilder()
                .add("id", issued.id())
                .add("key", issued.key())
                .add("name", issued.name())
                .add("trusted", issued.trusted())
                .build()
                .toString())
        .build();
  }

  @GET
  @Operation(summary = "Every volunteer key (never the secret)")
  public String list() {
    var array = Json.createArrayBuilder();
    for (VolunteerKeys.Listed k : volunteerKeys.list()) {
      var o =
          Json.createObjectBuilder()
              .add("id", k.id())
              .add("name", k.name())
              .add("trusted", k.trusted())
              .add("createdAt", k.createdAt().toString());
      k.revokedAt()
          .ifPresentOrElse(r -> o.add("revokedAt", r.toString()), () -> o.addNull("revokedAt"));
      array.add(o);
    }
    return array.build().toString();
  }

  @DELETE
  @Path("/{id}")
  @Operation(summary = "Revoke a volunteer key: its next hello is refused")
  public Response revoke(@PathParam("id") String id) {
    if (!volunteerKeys.revoke(id)) {
      throw Problem.notFound("no volunteer key " + id);
    }
    audit.record(Callers.of(security), "key.revoke", id, "");
    return Response.noContent().build();
  }
}
