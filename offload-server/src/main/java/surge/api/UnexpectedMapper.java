package surge.api;

import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.http.BodyTooLarge;
import surge.http.ErrorBody;

/**
 * Everything no other mapper takes. A body cut off at its limit is the client's error (413); the
 * rest is a server bug: 500 with an id that the one log line also carries, so an admin finds the
 * request a user reports, while the stack goes to the log at FINE only (one bad request must not
 * write 150 KB to the log).
 */
@Provider
public class UnexpectedMapper implements ExceptionMapper<Throwable> {
  private static final Logger LOG = Logger.getLogger(UnexpectedMapper.class.getName());

  @Context UriInfo uri;
  @Context Request request;

  @Override
  public Response toResponse(Throwable e) {
    var tooLarge = BodyTooLarge.among(e);
    if (tooLarge.isPresent()) {
      return tooLarge(tooLarge.get());
    }
    String id = ErrorIds.next();
    LOG.severe(
        () ->
            "error "
                + id
                + " on "
                + request.getMethod()
                + " "
                + uri.getRequestUri().getRawPath()
                + ": "
                + ErrorIds.summary(e));
    LOG.log(Level.FINE, "error " + id, e);
    return Response.status(500)
        .type("application/json")
        .entity(ErrorBody.json("internal error " + id + "; the server's log says more", null, id))
        .build();
  }

  static Response tooLarge(BodyTooLarge e) {
    LOG.info(() -> "413 " + e.getMessage());
    return Response.fromResponse(ProblemMapper.respond(413, e.getMessage(), e.limit().field()))
        .header("Connection", "close")
        .build();
  }
}
