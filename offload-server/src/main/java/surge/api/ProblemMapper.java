package surge.api;

import jakarta.json.Json;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Answers a {@link Problem} with its status and a JSON body naming the field. */
@Provider
public class ProblemMapper implements ExceptionMapper<Problem> {
  @Override
  public Response toResponse(Problem p) {
    return respond(p.status(), p.getMessage(), p.field().orElse(null));
  }

  /** The error body every endpoint uses. */
  public static Response respond(int status, String message, String field) {
    var body = Json.createObjectBuilder().add("error", message == null ? "error" : message);
    if (field != null) {
      body.add("field", field);
    }
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(body.build().toString())
        .build();
  }
}
