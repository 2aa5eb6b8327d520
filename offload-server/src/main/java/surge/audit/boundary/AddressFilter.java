package surge.audit.boundary;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import surge.audit.control.RequestAddress;

/**
 * Makes the request's peer address the {@link RequestAddress} for the audit log while the request
 * is served. Mapped in web.xml rather than by annotation so that it runs first, before the
 * authentication filter that records failed logins. The address is the TCP peer's: behind a proxy
 * that is the proxy (a forwarded header is not trusted, since any client can send one).
 */
public class AddressFilter extends HttpFilter {
  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    try (var scope = RequestAddress.enter(req.getRemoteAddr())) {
      chain.doFilter(req, resp);
    }
  }
}
