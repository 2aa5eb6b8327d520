package surge.api;

import jakarta.json.JsonException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Logger;

/**
 * JSON that does not parse wherever it is read (the endpoints read their bodies themselves and say
 * which field is wrong; this catches a reader they did not guard): 400, one log line.
 */
@Provider
public class JsonErrorMapper implements ExceptionMapper<JsonException> {
  private static final Logger LOG = Logger.getLogger(JsonErrorMapper.class.getName());

  @Override
  public Response toResponse(JsonException e) {
    String message = "the body is not valid JSON: " + e.getMessage();
    LOG.info(() -> "400 " + message);
    return ProblemMapper.respond(400, message, null);
  }
}
