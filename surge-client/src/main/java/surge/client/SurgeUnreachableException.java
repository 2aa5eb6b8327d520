package surge.client;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/** No HTTP answer came back from the server: refused, timed out, unknown host, cut off. */
public final class SurgeUnreachableException extends Exception {
  private final URI server;

  public SurgeUnreachableException(URI server, Throwable cause) {
    super("cannot reach the Surge server at " + server + ": " + reason(cause), cause);
    this.server = server;
  }

  /** Marks a failure to connect: the request surely never reached the server. */
  static final class NotConnected extends java.io.IOException {
    NotConnected(java.io.IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  public URI server() {
    return server;
  }

  /** The JDK often leaves connection errors without a message; say what happened anyway. */
  public String reason() {
    return reason(getCause());
  }

  /**
   * True when no connection was made (refused, connect timeout, unknown host), so the request
   * surely never reached the server and even a non-idempotent one may be sent again.
   */
  public boolean neverConnected() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof NotConnected
          || t instanceof ConnectException
          || t instanceof HttpConnectTimeoutException
          || t instanceof UnresolvedAddressException
          || t instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  static String reason(Throwable error) {
    boolean connecting = false;
    for (Throwable t = error; t != null; t = t.getCause()) {
      connecting |= t instanceof NotConnected;
      if (t instanceof NotConnected) {
        continue;
      }
      if (t instanceof HttpConnectTimeoutException
          || (connecting && t instanceof java.net.SocketTimeoutException)) {
        return "connection timed out";
      }
      if (t instanceof java.net.SocketTimeoutException) {
        return "no answer in time";
      }
      if (t instanceof HttpTimeoutException) {
        return "no answer in time";
      }
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host";
      }
      if (t instanceof ConnectException
          && (t.getMessage() == null
              || t.getMessage().isBlank()
              || t.getMessage().equalsIgnoreCase("connection refused"))) {
        return "connection refused";
      }
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return error == null ? "unknown error" : error.getClass().getSimpleName();
  }
}
