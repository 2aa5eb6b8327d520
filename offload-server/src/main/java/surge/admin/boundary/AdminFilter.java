package surge.admin.boundary;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Gives the dashboard ({@code /admin/}) and the consent export a strict Content-Security-Policy:
 * scripts and styles from this server's files only, nothing inline; and keeps them out of caches.
 * Who may see them is {@code surge.identity.boundary.AuthFilter}'s decision (operators only).
 */
@WebFilter(urlPatterns = {"/admin", "/admin/*", "/api/consent/export"})
public class AdminFilter extends HttpFilter {
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    resp.setHeader("Cache-Control", "no-store");
    resp.setHeader("X-Content-Type-Options", "nosniff");
    resp.setHeader("Referrer-Policy", "no-referrer");
    resp.setHeader("Content-Security-Policy", CSP);
    chain.doFilter(req, resp);
  }
}
