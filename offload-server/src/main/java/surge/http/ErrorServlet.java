package surge.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.api.ErrorIds;

/**
 * The error page of the whole application (web.xml): the container's own errors (a path nothing
 * serves, a method a servlet does not take, a filter's {@code sendError}, an exception out of a
 * servlet) answer the JSON of docs/api.md rather than Payara's HTML page.
 */
@WebServlet(ErrorServlet.PATH)
public class ErrorServlet extends HttpServlet {
  static final String PATH = "/surge-error";
  private static final Logger LOG = Logger.getLogger(ErrorServlet.class.getName());

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setHeader("X-Content-Type-Options", "nosniff");
    Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    String uri = String.valueOf(req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
    if (!(code instanceof Integer status)) {
      ErrorBody.send(resp, 404, "no such resource: " + req.getRequestURI(), null);
      return;
    }
    if (req.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable e) {
      var tooLarge = BodyTooLarge.among(e);
      if (tooLarge.isPresent()) {
        resp.setHeader("Connection", "close");
        ErrorBody.send(resp, 413, tooLarge.get().getMessage(), tooLarge.get().limit().field());
        return;
      }
      if (status >= 500) {
        String id = ErrorIds.next();
        LOG.severe(
            () ->
                "error " + id + " on " + req.getMethod() + " " + uri + ": " + ErrorIds.summary(e));
        LOG.log(Level.FINE, "error " + id, e);
        sendWithId(resp, status, id);
        return;
      }
    }
    String message = message(status, req.getMethod(), uri, req);
    LOG.info(() -> status + " " + req.getMethod() + " " + uri + ": " + message);
    ErrorBody.send(resp, status, message, null);
  }

  /** The message given to {@code sendError}, unless it is only the path or a bare phrase. */
  private static String message(int status, String method, String uri, HttpServletRequest req) {
    Object given = req.getAttribute(RequestDispatcher.ERROR_MESSAGE);
    if (given instanceof String s && s.length() > 20 && !s.contains(uri)) {
      return s;
    }
    return switch (status) {
      case 404 -> "no such resource: " + uri;
      case 405 -> method + " is not allowed on " + uri;
      default -> given instanceof String s && !s.isBlank() ? s : "HTTP " + status;
    };
  }

  private static void sendWithId(HttpServletResponse resp, int status, String id)
      throws IOException {
    if (resp.isCommitted()) {
      return;
    }
    resp.resetBuffer();
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.getWriter()
        .write(ErrorBody.json("internal error " + id + "; the server's log says more", null, id));
  }
}
