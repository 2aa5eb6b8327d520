package surge.ops.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import surge.Surge;

/**
 * {@code GET /health}: 200 only when the application itself works: deployed, database answering,
 * journal writing, dispatcher ticking. A failed deployment has no such servlet, so it answers 404,
 * never a false 200.
 */
@WebServlet("/health")
public class HealthServlet extends HttpServlet {
  @Inject Surge surge;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    var server = surge.server();
    boolean db = server.db.ping();
    boolean journal = server.journal.healthy();
    boolean dispatcher = server.dispatcherTicking();
    boolean up = db && journal && dispatcher;
    var body =
        Json.createObjectBuilder()
            .add("status", up ? "UP" : "DOWN")
            .add(
                "checks",
                Json.createObjectBuilder()
                    .add("database", db ? "UP" : "DOWN")
                    .add("journal", journal ? "UP" : "DOWN")
                    .add("dispatcher", dispatcher ? "UP" : "DOWN"))
            .add("volunteers", server.dispatcher.stats().volunteers())
            .build();
    resp.setStatus(up ? 200 : 503);
    resp.setContentType("application/json");
    resp.setHeader("Cache-Control", "no-store");
    resp.getWriter().write(body.toString());
  }
}
