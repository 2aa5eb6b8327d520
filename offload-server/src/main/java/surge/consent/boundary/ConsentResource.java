package surge.consent.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.StringReader;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.Surge;
import surge.api.Problem;

/** Issues signed consent tokens; the volunteer endpoint accepts only connections holding one. */
@Path("/consent")
public class ConsentResource {
  @Inject Surge surge;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Record a consent (site, revision, CPU level) and get a signed token")
  public String consent(String body) {
    JsonObject o;
    try (var r = Json.createReader(new StringReader(body == null ? "" : body))) {
      o = r.readObject();
    } catch (JsonException | IllegalStateException e) {
      throw Problem.badField(null, "the consent must be a JSON object");
    }
    if (!(o.get("site") instanceof JsonString site)
        || site.getString().isBlank()
        || site.getString().length() > 200) {
      throw Problem.badField("site", "site must be a non-empty string of at most 200 characters");
    }
    if (!(o.get("revision") instanceof JsonNumber rev)
        || !rev.isIntegral()
        || rev.longValue() < 0) {
      throw Problem.badField("revision", "revision must be a whole number, at least 0");
    }
    if (!(o.get("cpu") instanceof JsonNumber cpu)
        || !cpu.isIntegral()
        || cpu.longValue() < 1
        || cpu.longValue() > 100) {
      throw Problem.badField("cpu", "cpu must be a whole percentage between 1 and 100");
    }
    var issued = surge.server().consent.issue(site.getString(), rev.intValue(), cpu.intValue());
    return Json.createObjectBuilder()
        .add("token", issued.token())
        .add("expiresAt", issued.consent().expiresAt().toString())
        .build()
        .toString();
  }
}
