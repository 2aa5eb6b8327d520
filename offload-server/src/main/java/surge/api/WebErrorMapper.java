package surge.api;

import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.logging.Logger;
import surge.http.BodyTooLarge;

/**
 * The errors JAX-RS raises itself (no such resource, method not allowed, a Content-Type or Accept
 * no method takes) as the JSON of docs/api.md instead of the container's HTML page, with the
 * headers they carry ({@code Allow}, for one). One log line, no stack: the client erred.
 */
@Provider
public class WebErrorMapper implements ExceptionMapper<WebApplicationException> {
  private static final Logger LOG = Logger.getLogger(WebErrorMapper.class.getName());
  private static final List<String> KEPT_HEADERS =
      List.of("Allow", "WWW-Authenticate", "Retry-After", "Location");

  @Context UriInfo uri;
  @Context Request request;
  @Context HttpHeaders headers;

  @Override
  public Response toResponse(WebApplicationException e) {
    var tooLarge = BodyTooLarge.among(e);
    if (tooLarge.isPresent()) {
      return UnexpectedMapper.tooLarge(tooLarge.get());
    }
    Response given = e.getResponse();
    if (given.hasEntity()) {
      return given; // an endpoint built this answer on purpose
    }
    int status = given.getStatus();
    String message = message(e, status);
    LOG.info(() -> status + " " + request.getMethod() + " " + path() + ": " + message);
    Response json = ProblemMapper.respond(status, message, null);
    var answer = Response.fromResponse(json);
    for (String name : KEPT_HEADERS) {
      var value = given.getHeaderString(name);
      if (value != null) {
        answer.header(name, value);
      }
    }
    return answer.build();
  }

  private String message(WebApplicationException e, int status) {
    if (e instanceof NotFoundException) {
      return "no such resource: " + path();
    }
    if (e instanceof NotAllowedException) {
      return request.getMethod()
          + " is not allowed on "
          + path()
          + "; allowed: "
          + e.getResponse().getAllowedMethods();
    }
    if (e instanceof NotSupportedException) {
      return "Content-Type "
          + headers.getMediaType()
          + " is not accepted by "
          + request.getMethod()
          + " "
          + path();
    }
    if (e instanceof NotAcceptableException) {
      return "no representation of "
          + path()
          + " matches Accept: "
          + headers.getAcceptableMediaTypes();
    }
    String phrase =
        Response.Status.fromStatusCode(status) == null
            ? "HTTP " + status
            : Response.Status.fromStatusCode(status).getReasonPhrase();
    String given = e.getMessage();
    return given == null || given.startsWith("HTTP " + status) ? phrase.toLowerCase() : given;
  }

  private String path() {
    return uri.getRequestUri().getRawPath();
  }
}
