package surge.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Refuses the dashboard's password (HTTP Basic) when it crossed a network in clear: over plain HTTP
 * from another host. Accepted over https, and from loopback: a local admin, or a TLS proxy on this
 * host (deploy/nginx) that says so with {@code X-Forwarded-Proto: https}. A password refused here
 * has already been seen on the wire, but the admin learns at the first try rather than never.
 */
public class CleartextPasswordFilter extends HttpFilter {
  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    String auth = req.getHeader("Authorization");
    if (auth != null
        && auth.regionMatches(true, 0, "Basic ", 0, 6)
        && !overTls(req.isSecure(), req.getRemoteAddr(), req.getHeader("X-Forwarded-Proto"))) {
      ErrorBody.send(
          resp,
          403,
          "the admin password is not accepted over plain HTTP from another host: use https"
              + " (docs/tls.md)",
          null);
      return;
    }
    chain.doFilter(req, resp);
  }

  /** Whether a request arrived over TLS, or from loopback where no network saw it in clear. */
  static boolean overTls(boolean secure, String remoteAddress, String forwardedProto) {
    if (secure) {
      return true;
    }
    if (!loopback(remoteAddress)) {
      return false;
    }
    return forwardedProto == null || forwardedProto.trim().toLowerCase(Locale.ROOT).equals("https");
  }

  private static boolean loopback(String address) {
    if (address == null || !address.matches("[0-9a-fA-F.:\\[\\]]+")) {
      return false; // only literal addresses: no name lookups from here
    }
    try {
      return InetAddress.getByName(address.replace("[", "").replace("]", "")).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
