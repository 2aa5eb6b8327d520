package surge.api;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Logger;
import org.glassfish.jersey.server.ParamException;

/**
 * A query, path or header parameter that does not convert ({@code ?limit=abc}): 400 naming the
 * parameter. JAX-RS would answer 404 (as if the resource did not exist) with an HTML page.
 */
@Provider
public class ParamMapper implements ExceptionMapper<ParamException> {
  private static final Logger LOG = Logger.getLogger(ParamMapper.class.getName());

  @Override
  public Response toResponse(ParamException e) {
    String name = e.getParameterName();
    Throwable cause = e.getCause();
    String why = cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")";
    String message = kind(e) + " '" + name + "' is not valid" + why;
    LOG.info(() -> "400 bad parameter: " + message);
    return ProblemMapper.respond(400, message, name);
  }

  private static String kind(ParamException e) {
    return switch (e.getParameterType().getSimpleName()) {
      case "QueryParam" -> "query parameter";
      case "PathParam" -> "path parameter";
      case "HeaderParam" -> "header";
      default -> "parameter";
    };
  }
}
