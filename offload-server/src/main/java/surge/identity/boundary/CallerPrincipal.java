package surge.identity.boundary;

import java.security.Principal;
import surge.identity.control.Caller;

/** The servlet and JAX-RS view of a {@link Caller}. */
public record CallerPrincipal(Caller caller) implements Principal {
  @Override
  public String getName() {
    return caller.name();
  }
}
