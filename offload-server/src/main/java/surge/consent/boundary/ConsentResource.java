package surge.consent.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.api.JsonDepth;
import surge.api.Problem;
import surge.consent.control.Consents;
import surge.consent.control.Origins;
import surge.consent.control.Project;

/**
 * Consent given, declined, revoked, exported. A request from a web page (it has an Origin header)
 * must come from an allowed origin and, for a consent, from the site it names; CORS headers are the
 * {@link CorsFilter}'s. The export is for admins only ({@code surge.admin.boundary.AdminFilter}).
 */
@Path("/consent")
public class ConsentResource {
  @Inject Consents consents;
  @Inject Origins origins;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Record a consent (site, project, revision, CPU level) and get a token")
  public String consent(@HeaderParam("Origin") String origin, String body) {
    JsonObject o = object(body);
    String site = site(o, origin);
    String project = project(o);
    int revision = revision(o);
    if (!(o.get("cpu") instanceof JsonNumber cpu)
        || !cpu.isIntegral()
        || cpu.longValue() < 1
        || cpu.longValue() > 100) {
      throw Problem.badField("cpu", "cpu must be a whole percentage between 1 and 100");
    }
    var issued = consents.give(site, project, revision, cpu.intValue());
    return Json.createObjectBuilder()
        .add("token", issued.token())
        .add("expiresAt", issued.consent().expiresAt().toString())
        .build()
        .toString();
  }

  @POST
  @Path("/decline")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Count a decline (site, project, revision); nothing else is kept")
  public Response decline(@HeaderParam("Origin") String origin, String body) {
    JsonObject o = object(body);
    consents.decline(site(o, origin), project(o), revision(o));
    return Response.noContent().build();
  }

  @POST
  @Path("/revoke")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Revoke a consent: its token is refused and its volunteers stop at once")
  public Response revoke(@HeaderParam("Origin") String origin, String body) {
    allowedOrigin(origin);
    JsonObject o = object(body);
    if (!(o.get("token") instanceof JsonString token) || token.getString().isBlank()) {
      throw Problem.badField("token", "token must be the consent token to revoke");
    }
    consents.revoke(token.getString());
    return Response.noContent().build();
  }

  @GET
  @Path("/export")
  @Produces("application/x-ndjson")
  @Operation(summary = "The consent records and decline counts as JSON lines (admins only)")
  public Response export() {
    StreamingOutput out =
        stream -> consents.export(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
    return Response.ok(out)
        .header("Cache-Control", "no-store")
        .header("Content-Disposition", "attachment; filename=\"surge-consents.jsonl\"")
        .build();
  }

  private static JsonObject object(String body) {
    if (body != null && JsonDepth.exceeds(body, JsonDepth.LIMIT)) {
      throw Problem.badField(null, JsonDepth.refusal("the body"));
    }
    try (var r = Json.createReader(new StringReader(body == null ? "" : body))) {
      return r.readObject();
    } catch (JsonException | IllegalStateException | NumberFormatException e) {
      throw Problem.badField(null, "the body must be a JSON object");
    }
  }

  /**
   * Consent is a web page's: a request without an Origin (a script, a headless client) is refused,
   * so no token is issued for a site that never asked. Headless volunteers use volunteer keys.
   */
  private void pageOrigin(String origin) {
    if (origin == null || origin.isBlank()) {
      throw Problem.forbidden(
          null,
          "consent is given by a web page (an Origin header in SURGE_ALLOWED_ORIGINS); a headless"
              + " volunteer uses a volunteer key instead");
    }
    allowedOrigin(origin);
  }

  private void allowedOrigin(String origin) {
    if (!origins.admits(origin)) {
      throw Problem.forbidden(
          null, "pages of " + origin + " may not volunteer: it is not in SURGE_ALLOWED_ORIGINS");
    }
  }

  /** The site; a web page's must be its own origin, and that origin allowed. */
  private String site(JsonObject o, String origin) {
    pageOrigin(origin);
    if (!(o.get("site") instanceof JsonString site)
        || site.getString().isBlank()
        || site.getString().length() > 200) {
      throw Problem.badField("site", "site must be a non-empty string of at most 200 characters");
    }
    if (origin != null && !Origins.normalize(site.getString()).equals(Origins.normalize(origin))) {
      throw Problem.forbidden(
          "site", "site must be the origin of the page asking (" + origin + ")");
    }
    return site.getString();
  }

  /** The project; it may be left out when the server has only one. */
  private String project(JsonObject o) {
    if (o.get("project") instanceof JsonString p) {
      return p.getString();
    }
    if (o.containsKey("project")) {
      throw Problem.badField("project", "project must be a project id such as \"demo\"");
    }
    var all = consents.projects().all();
    Optional<Project> only = all.size() == 1 ? all.stream().findFirst() : Optional.empty();
    return only.orElseThrow(
            () -> Problem.badField("project", "project is required: this server has several"))
        .id();
  }

  private static int revision(JsonObject o) {
    if (!(o.get("revision") instanceof JsonNumber rev)
        || !rev.isIntegral()
        || rev.longValue() < 0
        || rev.longValue() > Integer.MAX_VALUE) {
      throw Problem.badField("revision", "revision must be a whole number, at least 0");
    }
    return rev.intValue();
  }
}
