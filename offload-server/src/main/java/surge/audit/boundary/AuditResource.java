package surge.audit.boundary;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.api.Problem;
import surge.audit.control.Audit;
import surge.config.Durations;

/**
 * {@code GET /api/admin/audit}: the audit log as JSON lines, for operators. The authentication
 * filter already keeps {@code /api/admin/*} to operators; the role is checked here again so that a
 * change of that filter's paths cannot open the log.
 */
@Path("/admin/audit")
public class AuditResource {
  @Inject Audit audit;

  @GET
  @Produces("application/x-ndjson")
  @Operation(
      summary =
          "The audit log as JSON lines, oldest first (operators only): since an instant or a"
              + " duration ago, at most limit entries")
  public Response export(
      @Context SecurityContext security,
      @QueryParam("since") String since,
      @QueryParam("limit") @DefaultValue("1000") String limitText) {
    if (!security.isUserInRole("operator")) {
      throw Problem.forbidden(null, "the audit log is for operators");
    }
    int limit;
    try {
      limit = Integer.parseInt(limitText.trim());
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > Audit.MAX_EXPORT) {
      throw Problem.badField("limit", "limit must be between 1 and " + Audit.MAX_EXPORT);
    }
    Instant from = since(since);
    int most = limit;
    StreamingOutput out =
        stream -> audit.export(new OutputStreamWriter(stream, StandardCharsets.UTF_8), from, most);
    return Response.ok(out).header("Cache-Control", "no-store").build();
  }

  /** An ISO-8601 instant, or a duration ({@code 24h}, {@code 7d}) counted back from now. */
  private static Instant since(String text) {
    if (text == null || text.isBlank()) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(text.trim());
    } catch (DateTimeParseException notAnInstant) {
      try {
        return Instant.now().minus(Durations.parse(text));
      } catch (IllegalArgumentException notADuration) {
        throw Problem.badField(
            "since",
            "since must be an instant (2026-12-01T00:00:00Z) or a duration back from now (24h,"
                + " 7d), got '"
                + text
                + "'");
      }
    }
  }
}
