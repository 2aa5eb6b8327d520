package surge.identity.boundary;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import surge.identity.control.Caller;

/** The request as the authenticated caller made it: principal, roles, auth type. */
final class CallerRequest extends HttpServletRequestWrapper {
  private final Caller caller;
  private final CallerPrincipal principal;

  CallerRequest(HttpServletRequest request, Caller caller) {
    super(request);
    this.caller = caller;
    this.principal = new CallerPrincipal(caller);
    request.setAttribute(Callers.ATTRIBUTE, caller);
  }

  @Override
  public Principal getUserPrincipal() {
    return principal;
  }

  @Override
  public String getRemoteUser() {
    return caller.name();
  }

  /** {@code operator} holds both roles: an operator may do what a user may. */
  @Override
  public boolean isUserInRole(String role) {
    return Caller.Role.USER.wire().equals(role)
        || (caller.operator() && Caller.Role.OPERATOR.wire().equals(role));
  }

  @Override
  public String getAuthType() {
    return caller.via();
  }
}
