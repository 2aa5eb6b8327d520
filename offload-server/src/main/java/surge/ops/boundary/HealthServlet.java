package surge.ops.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import surge.ops.control.Health;

/**
 * {@code GET /health}: 200 only when the application itself works: deployed, database answering,
 * journal writing, dispatcher ticking. A failed deployment has no such servlet, so it answers 404,
 * never a false 200.
 */
@WebServlet("/health")
public class HealthServlet extends HttpServlet {
  @Inject Health health;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    var report = health.check();
    boolean db = report.database();
    boolean journal = report.journal();
    boolean dispatcher = report.dispatcher();
    boolean up = report.up();
    var body =
        Json.createObjectBuilder()
            .add("status", up ? "UP" : "DOWN")
            .add(
                "checks",
                Json.createObjectBuilder()
                    .add("database", db ? "UP" : "DOWN")
                    .add("journal", journal ? "UP" : "DOWN")
                    .add("dispatcher", dispatcher ? "UP" : "DOWN"))
            .add("volunteers", report.volunteers())
            .build();
    resp.setStatus(up ? 200 : 503);
    resp.setContentType("application/json");
    resp.setHeader("Cache-Control", "no-store");
    resp.getWriter().write(body.toString());
  }
}
