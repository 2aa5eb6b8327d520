package surge.kernels.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.StringReader;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.api.Problem;
import surge.identity.boundary.Callers;
import surge.identity.control.Caller;
import surge.kernels.control.Approvals;

/** Operators approve, list and revoke kernels (the kernel policy {@code approved} reads these). */
@Path("/admin/kernels")
@Produces(MediaType.APPLICATION_JSON)
public class KernelApprovalsResource {
  @Inject Approvals approvals;
  @Context HttpServletRequest request;

  @PUT
  @Path("/{sha256}/approval")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Approve a kernel by sha256, with a note saying what it is (operator)")
  public String approve(@PathParam("sha256") String sha256, String body) {
    String note = note(body);
    return json(approvals.approve(caller(), sha256, note)).build().toString();
  }

  @DELETE
  @Path("/{sha256}/approval")
  @Operation(
      summary = "Revoke a kernel's approval; later submissions with it are refused (operator)")
  public String revoke(@PathParam("sha256") String sha256) {
    return json(approvals.revoke(caller(), sha256)).build().toString();
  }

  @GET
  @Path("/approvals")
  @Operation(summary = "Every kernel approval, in force or revoked, the latest first (operator)")
  public String list() {
    var array = Json.createArrayBuilder();
    approvals.list(caller()).forEach(v -> array.add(json(v)));
    return array.build().toString();
  }

  private Caller caller() {
    return Callers.of(request);
  }

  private static String note(String body) {
    if (body == null || body.isBlank()) {
      throw Problem.badField("note", "send {\"note\": \"what the kernel is and why it may run\"}");
    }
    try (var reader = Json.createReader(new StringReader(body))) {
      JsonObject o = reader.readObject();
      if (!(o.get("note") instanceof JsonString s)) {
        throw Problem.badField("note", "note must be a string");
      }
      return s.getString();
    } catch (JsonException | IllegalStateException | ClassCastException e) {
      throw Problem.badField("note", "the body is not a JSON object: " + e.getMessage());
    }
  }

  static JsonObjectBuilder json(Approvals.View v) {
    var a = v.approval();
    var o =
        Json.createObjectBuilder()
            .add("sha256", a.sha256())
            .add("note", a.note())
            .add("approvedBy", a.approvedBy())
            .add("approvedAt", a.approvedAt().toString())
            .add("inForce", a.inForce())
            .add("uploaded", v.uploaded());
    a.revokedBy().ifPresent(by -> o.add("revokedBy", by));
    a.revokedAt().ifPresent(at -> o.add("revokedAt", at.toString()));
    return o;
  }
}
