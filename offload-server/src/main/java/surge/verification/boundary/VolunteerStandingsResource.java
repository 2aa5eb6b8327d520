package surge.verification.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.api.Problem;
import surge.policies.VerificationPolicy;
import surge.verification.control.StoredStandings;

/**
 * Volunteers' verification records (docs/verification.md), for operators (the AuthFilter lets
 * nobody else under /api/admin): each identity's checks, credibility and whether it is barred.
 */
@Path("/admin/volunteers")
@Produces(MediaType.APPLICATION_JSON)
public class VolunteerStandingsResource {
  @Inject StoredStandings standings;
  @Inject VerificationPolicy verificationPolicy;

  @GET
  @Operation(summary = "Volunteer identities' verification records, most recently changed first")
  public String list(@QueryParam("limit") @DefaultValue("100") int limit) {
    if (limit < 1 || limit > 10_000) {
      throw Problem.badField("limit", "limit must be between 1 and 10000, got " + limit);
    }
    var out = Json.createArrayBuilder();
    for (var s : standings.all(limit)) {
      var o =
          Json.createObjectBuilder()
              .add("identity", s.identity())
              .add("trusted", s.trusted())
              .add("credibility", verificationPolicy.credibility(s.history()))
              .add("spotChecksPassed", s.spotPassed())
              .add("spotChecksFailed", s.spotFailed())
              .add("agreements", s.agreements())
              .add("disagreements", s.disagreements())
              .add("barredEverywhere", s.barredEverywhere())
              .add(
                  "barredOwners",
                  Json.createArrayBuilder(s.barredOwners().stream().sorted().toList()))
              .add("updatedAt", s.updatedAt().toString());
      if (s.caughtFor() != null) {
        o.add("caughtFor", s.caughtFor());
      }
      out.add(o);
    }
    return out.build().toString();
  }
}
