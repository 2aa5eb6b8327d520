package surge.admin.boundary;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import surge.Surge;
import surge.admin.control.AdminLogin;
import surge.identity.control.Caller;
import surge.kernels.boundary.RequestCallers;

/**
 * Guards the dashboard ({@code /admin/}) and the consent export with the admin's HTTP Basic login
 * (docs/dashboard.md), and gives the admin pages a strict Content-Security-Policy: scripts and
 * styles from this server's files only, nothing inline.
 */
@WebFilter(urlPatterns = {"/admin", "/admin/*", "/api/consent/export", "/api/admin/*"})
public class AdminFilter extends HttpFilter {
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  @Inject Surge surge;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    AdminLogin login = surge.server().adminLogin;
    resp.setHeader("Cache-Control", "no-store");
    resp.setHeader("X-Content-Type-Options", "nosniff");
    resp.setHeader("Referrer-Policy", "no-referrer");
    resp.setHeader("Content-Security-Policy", CSP);
    if (!login.enabled()) {
      resp.sendError(404, "the dashboard is off: SURGE_ADMIN_PASSWORD is not set");
      return;
    }
    String address = req.getRemoteAddr();
    switch (login.check(address, req.getHeader("Authorization"))) {
      case ALLOWED -> {
        // The admin is an operator (issue 9's contract), for /api/admin/* until the identity
        // filter.
        req.setAttribute(
            RequestCallers.ATTRIBUTE,
            new Caller(AdminLogin.USER, Caller.Role.OPERATOR, "password"));
        chain.doFilter(req, resp);
      }
      case THROTTLED -> {
        resp.setHeader("Retry-After", Long.toString(login.retryAfterSeconds(address)));
        resp.sendError(429, "too many failed logins from this address; wait a minute");
      }
      case REFUSED -> {
        resp.setHeader("WWW-Authenticate", "Basic realm=\"Surge admin\", charset=\"UTF-8\"");
        resp.sendError(401, "log in as " + AdminLogin.USER + " with SURGE_ADMIN_PASSWORD");
      }
    }
  }
}
