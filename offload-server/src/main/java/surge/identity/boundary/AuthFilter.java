package surge.identity.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.logging.Logger;
import surge.audit.control.Audit;
import surge.identity.control.Access;
import surge.identity.control.Authenticator;
import surge.identity.control.Caller;

/**
 * The one gate of every HTTP request (docs/api.md, "Authentication"): reads the credentials, lets
 * the public paths through, requires a caller everywhere else and an operator on the operator
 * paths, and hands the caller on in the request ({@link Callers}). It decides access by itself, so
 * the order of the other filters does not matter.
 */
public class AuthFilter extends HttpFilter {
  private static final Logger LOG = Logger.getLogger(AuthFilter.class.getName());

  @Inject Authenticator authenticator;
  @Inject Audit audit;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    String path = req.getRequestURI().substring(req.getContextPath().length());
    Optional<Access> access = Access.of(req.getMethod(), path);
    if (access.isEmpty()) {
      answer(resp, 400, "the request path is not accepted (encoded slash, '..' or a bad escape)");
      return;
    }
    String normal = Access.normalize(path).orElseThrow();
    boolean dashboard = normal.equals("/admin") || normal.startsWith("/admin/");
    // The dashboard links to the export: a browser that logged in there may log in here too.
    boolean basicToo = normal.equals("/api/consent/export");
    Authenticator.Outcome outcome;
    try {
      outcome = authenticator.authenticate(req.getRemoteAddr(), req.getHeader("Authorization"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer(resp, 503, "the server is stopping");
      return;
    }
    if (outcome instanceof Authenticator.Authenticated a) {
      if (dashboard) {
        audit.loggedIn(a.caller());
      }
      pass(req, resp, chain, access.get(), a.caller());
    } else if (outcome instanceof Authenticator.Refused r) {
      LOG.fine(() -> "refused credentials from " + req.getRemoteAddr() + ": " + r.reason());
      var tried = Tried.of(req.getHeader("Authorization"));
      audit.loginFailed(tried.user(), tried.via(), dashboard ? "dashboard" : "api", r.reason());
      challenge(resp, dashboard, basicToo, r.reason());
    } else if (outcome instanceof Authenticator.Busy) {
      resp.setHeader("Retry-After", "1");
      answer(resp, 429, "another login from this address is being checked; try again");
    } else if (access.get() == Access.PUBLIC) {
      chain.doFilter(req, resp);
    } else {
      challenge(resp, dashboard, basicToo, "this needs credentials (docs/api.md, Authentication)");
    }
  }

  private static void pass(
      HttpServletRequest req,
      HttpServletResponse resp,
      FilterChain chain,
      Access access,
      Caller caller)
      throws IOException, ServletException {
    if (access == Access.OPERATOR && !caller.operator()) {
      answer(resp, 403, "only an operator may do this; " + caller.name() + " is a user");
      return;
    }
    chain.doFilter(new CallerRequest(req, caller), resp);
  }

  private static void challenge(
      HttpServletResponse resp, boolean dashboard, boolean basicToo, String message)
      throws IOException {
    // The dashboard asks a browser for the password (or a token as the password); the API names
    // its schemes.
    resp.setHeader(
        "WWW-Authenticate",
        dashboard ? "Basic realm=\"Surge admin\", charset=\"UTF-8\"" : "Bearer realm=\"surge\"");
    if (!dashboard) {
      resp.addHeader("WWW-Authenticate", "MUNGE realm=\"surge\"");
    }
    if (basicToo) {
      resp.addHeader("WWW-Authenticate", "Basic realm=\"Surge admin\", charset=\"UTF-8\"");
    }
    answer(resp, 401, message);
  }

  private static void answer(HttpServletResponse resp, int status, String message)
      throws IOException {
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.setHeader("Cache-Control", "no-store");
    byte[] body =
        Json.createObjectBuilder()
            .add("error", message)
            .build()
            .toString()
            .getBytes(StandardCharsets.UTF_8);
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }

  /** Who a refused Authorization header claimed to be, for the audit log; never the secret. */
  private record Tried(String user, String via) {
    static Tried of(String authorization) {
      String[] parts =
          authorization == null ? new String[0] : authorization.trim().split("\\s+", 2);
      String scheme = parts.length == 0 ? "" : parts[0].toLowerCase(java.util.Locale.ROOT);
      return switch (scheme) {
        case "basic" -> new Tried(basicUser(parts.length > 1 ? parts[1] : ""), "password");
        case "bearer" ->
            new Tried("-", parts.length > 1 && parts[1].startsWith("surge_") ? "token" : "jwt");
        case "munge" -> new Tried("-", "munge");
        default -> new Tried("-", scheme.isEmpty() ? "-" : "other");
      };
    }

    private static String basicUser(String encoded) {
      try {
        String pair =
            new String(java.util.Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon > 0 ? pair.substring(0, colon) : "-";
      } catch (IllegalArgumentException e) {
        return "-";
      }
    }
  }
}
