package surge.kernels.boundary;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import surge.identity.control.Caller;

/**
 * The {@link Caller} that authentication put in the request (attribute {@code surge.caller}, the
 * shared contract of issue 9). A stopgap until the identity filter's {@code
 * surge.identity.boundary.Callers} is on this branch; replace the calls with that.
 */
public final class RequestCallers {
  /** The request attribute the authentication filter sets. */
  public static final String ATTRIBUTE = "surge.caller";

  private RequestCallers() {}

  public static Optional<Caller> of(HttpServletRequest request) {
    return request.getAttribute(ATTRIBUTE) instanceof Caller c ? Optional.of(c) : Optional.empty();
  }
}
