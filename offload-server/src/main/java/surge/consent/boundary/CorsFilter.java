package surge.consent.boundary;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import surge.consent.control.Origins;

/**
 * CORS for what the banner and the runtime on an allowed site call across origins: the consent and
 * project endpoints, the browser pieces under {@code /surge/} and kernel downloads ({@code GET
 * /api/kernels/{sha256}}, not uploads). Only an allowed origin gets {@code
 * Access-Control-Allow-Origin}; a preflight from any other is answered 403. The admins' export is
 * never shared.
 */
@WebFilter(
    urlPatterns = {
      "/api/consent",
      "/api/consent/*",
      "/api/projects/*",
      "/api/kernels/*",
      "/surge/*"
    })
public class CorsFilter extends HttpFilter {
  @Inject Origins origins;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    String path = req.getRequestURI().substring(req.getContextPath().length());
    if (path.startsWith("/surge/")) {
      // Not content-addressed, so cached briefly: a new banner reaches pages within minutes.
      resp.setHeader("Cache-Control", "public, max-age=300");
    }
    boolean kernelUpload = path.startsWith("/api/kernels") && !isRead(req);
    if (path.equals("/api/consent/export") || kernelUpload) {
      chain.doFilter(req, resp);
      return;
    }
    resp.setHeader("Vary", "Origin");
    String origin = req.getHeader("Origin");
    boolean allowed = origin != null && origins.allows(origin);
    if (allowed) {
      resp.setHeader("Access-Control-Allow-Origin", origin);
    }
    boolean preflight =
        "OPTIONS".equals(req.getMethod())
            && origin != null
            && req.getHeader("Access-Control-Request-Method") != null;
    if (!preflight) {
      chain.doFilter(req, resp);
      return;
    }
    if (!allowed) {
      resp.setStatus(403);
      return;
    }
    resp.setHeader(
        "Access-Control-Allow-Methods",
        path.startsWith("/api/kernels") ? "GET, OPTIONS" : "GET, POST, OPTIONS");
    resp.setHeader("Access-Control-Allow-Headers", "Content-Type");
    resp.setHeader("Access-Control-Max-Age", "600");
    resp.setStatus(204);
  }

  /** A GET or HEAD, or the preflight of one. */
  private static boolean isRead(HttpServletRequest req) {
    String method =
        "OPTIONS".equals(req.getMethod())
            ? req.getHeader("Access-Control-Request-Method")
            : req.getMethod();
    return "GET".equals(method) || "HEAD".equals(method);
  }
}
