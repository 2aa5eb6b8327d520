package surge.identity.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
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
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.api.Problem;
import surge.audit.control.Audit;
import surge.config.Durations;
import surge.identity.control.ApiTokens;
import surge.identity.control.Caller;

/** API tokens, for operators (the AuthFilter lets nobody else under /api/admin). */
@Path("/admin/tokens")
@Produces(MediaType.APPLICATION_JSON)
public class AdminTokensResource {
  @Inject ApiTokens tokens;
  @Inject Audit audit;
  @Context SecurityContext security;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create an API token {user, role, expires?}; the token is shown only here")
  public Response create(String body) {
    Caller by = Callers.of(security);
    JsonObject o = JsonBodies.object(body);
    if (!(o.get("user") instanceof JsonString user)) {
      throw Problem.badField("user", "user must be the user name the token stands for");
    }
    Caller.Role role = role(o);
    Optional<Duration> expires = expires(o);
    var issued = tokens.create(user.getString(), role, expires, by.name());
    audit.record(
        by,
        "token.create",
        issued.id(),
        "for "
            + issued.user()
            + " as "
            + issued.role().wire()
            + issued.expiresAt().map(e -> ", expires " + e).orElse(""));
    var json =
        Json.createObjectBuilder()
            .add("id", issued.id())
            .add("token", issued.token())
            .add("user", issued.user())
            .add("role", issued.role().wire());
    issued
        .expiresAt()
        .ifPresentOrElse(e -> json.add("expiresAt", e.toString()), () -> json.addNull("expiresAt"));
    return Response.created(URI.create("/api/admin/tokens/" + issued.id()))
        .entity(json.build().toString())
        .build();
  }

  @GET
  @Operation(summary = "Every API token (never the secret), with its state")
  public String list() {
    var array = Json.createArrayBuilder();
    for (ApiTokens.Listed t : tokens.list()) {
      JsonObjectBuilder o =
          Json.createObjectBuilder()
              .add("id", t.id())
              .add("user", t.user())
              .add("role", t.role().wire())
              .add("createdAt", t.createdAt().toString())
              .add("createdBy", t.createdBy())
              .add("valid", t.valid());
      t.expiresAt()
          .ifPresentOrElse(e -> o.add("expiresAt", e.toString()), () -> o.addNull("expiresAt"));
      t.revokedAt()
          .ifPresentOrElse(e -> o.add("revokedAt", e.toString()), () -> o.addNull("revokedAt"));
      array.add(o);
    }
    return array.build().toString();
  }

  @DELETE
  @Path("/{id}")
  @Operation(summary = "Revoke an API token: refused from the next request on")
  public Response revoke(@PathParam("id") String id) {
    if (!tokens.revoke(id)) {
      throw Problem.notFound("no token " + id);
    }
    audit.record(Callers.of(security), "token.revoke", id, "");
    return Response.noContent().build();
  }

  private static Caller.Role role(JsonObject o) {
    if (o.get("role") instanceof JsonString r) {
      try {
        return Caller.Role.valueOf(r.getString().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // Named below.
      }
    }
    throw Problem.badField("role", "role must be \"user\" or \"operator\"");
  }

  private static Optional<Duration> expires(JsonObject o) {
    if (!o.containsKey("expires") || o.isNull("expires")) {
      return Optional.empty();
    }
    if (o.get("expires") instanceof JsonString e) {
      try {
        return Optional.of(Durations.parse(e.getString()));
      } catch (IllegalArgumentException ex) {
        // Named below.
      }
    }
    throw Problem.badField("expires", "expires must be a duration such as 90d, 12h or 30m");
  }
}
