package surge.audit.control;

import java.util.Optional;

/**
 * The network address of the request the current thread serves, set by the boundary's filter for
 * the length of one request. The audit log needs it for every action, but it belongs to the request
 * rather than to the principal ({@code Caller}) or to any control's arguments, so it travels beside
 * them instead of through every signature.
 */
public final class RequestAddress {
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private RequestAddress() {}

  /**
   * Makes {@code address} the current request's address until the returned scope is closed (use it
   * in try-with-resources).
   */
  public static Scope enter(String address) {
    String previous = CURRENT.get();
    CURRENT.set(address);
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /** The current request's address; empty on the server's own threads. */
  public static Optional<String> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /** The time one address is current. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
