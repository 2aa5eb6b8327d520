package surge.identity.boundary;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.SecurityContext;
import surge.api.Problem;
import surge.identity.control.Caller;

/** The {@link Caller} that {@link AuthFilter} put in a request, for resources and servlets. */
public final class Callers {
  /** The request attribute that holds the {@link Caller}. */
  public static final String ATTRIBUTE = "surge.caller";

  private Callers() {}

  /** From JAX-RS: Jersey builds its SecurityContext on the request the filter wrapped. */
  public static Caller of(SecurityContext security) {
    if (security != null && security.getUserPrincipal() instanceof CallerPrincipal p) {
      return p.caller();
    }
    throw new Problem(401, null, "this needs credentials (docs/api.md, Authentication)");
  }

  public static Caller of(HttpServletRequest request) {
    if (request.getAttribute(ATTRIBUTE) instanceof Caller c) {
      return c;
    }
    throw new Problem(401, null, "this needs credentials (docs/api.md, Authentication)");
  }
}
