package surge.quotas.boundary;

import jakarta.json.Json;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import surge.quotas.control.QuotaExceeded;

/**
 * Answers a quota refusal like every other error ({@code {"error", "field"}}) plus the quota, the
 * user's use and the limit, and {@code Retry-After} (seconds) when waiting helps. JAX-RS picks this
 * mapper over the one for {@code Problem} because it names the nearer class.
 */
@Provider
public class QuotaExceededMapper implements ExceptionMapper<QuotaExceeded> {
  @Override
  public Response toResponse(QuotaExceeded e) {
    var body =
        Json.createObjectBuilder()
            .add("error", e.getMessage())
            .add("quota", e.quota())
            .add("used", e.used())
            .add("limit", e.limit());
    e.field().ifPresent(f -> body.add("field", f));
    e.retryAfterSeconds().ifPresent(s -> body.add("retryAfter", s));
    var response =
        Response.status(e.status())
            .type(MediaType.APPLICATION_JSON_TYPE)
            .entity(body.build().toString());
    e.retryAfterSeconds().ifPresent(s -> response.header("Retry-After", Long.toString(s)));
    return response.build();
  }
}
