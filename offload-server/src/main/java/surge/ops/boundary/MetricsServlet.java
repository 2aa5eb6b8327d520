package surge.ops.boundary;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import surge.ops.control.Metrics;

/** {@code GET /metrics} in the Prometheus text format. */
@WebServlet("/metrics")
public class MetricsServlet extends HttpServlet {
  @Inject Metrics metrics;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    byte[] body = metrics.scrape();
    resp.setStatus(200);
    resp.setContentType(metrics.contentType());
    resp.setHeader("Cache-Control", "no-store");
    resp.getOutputStream().write(body);
  }
}
