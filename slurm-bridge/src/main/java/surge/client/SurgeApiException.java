package surge.client;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The server answered with an error status. {@link #getMessage()} is the server's own {@code error}
 * text when the body is the documented JSON error object, else a short description of the answer.
 */
public final class SurgeApiException extends Exception {
  private static final int MAX_TEXT = 300;

  private final int status;
  private final String field;

  public SurgeApiException(int status, String message, String field) {
    super(message);
    this.status = status;
    this.field = field;
  }

  /** Reads {@code {"error": "...", "field": "..."}}, falling back to the body's first line. */
  static SurgeApiException fromBody(int status, String contentType, byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    var documented = JsonCodec.error(text);
    if (documented.isPresent()) {
      return new SurgeApiException(status, documented.get()[0], documented.get()[1]);
    }
    // Else an error page from a proxy or the application server; described below.
    boolean readable =
        !text.isEmpty() && (contentType == null || !contentType.toLowerCase().contains("html"));
    String firstLine = readable ? text.lines().findFirst().orElse("") : "";
    if (firstLine.length() > MAX_TEXT) {
      firstLine = firstLine.substring(0, MAX_TEXT) + "…";
    }
    return new SurgeApiException(
        status, firstLine.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + firstLine, null);
  }

  public int status() {
    return status;
  }

  /** The request field the server blames, when one is to blame. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /** 4xx: the request was refused and repeating it will not help. */
  public boolean isRefusal() {
    return status >= 400 && status < 500;
  }

  /** The server or a proxy in front of it is restarting or overloaded; worth retrying. */
  public boolean isTransient() {
    return status == 502 || status == 503 || status == 504;
  }

  /** The server's message, followed by the field it blames. */
  public String describe() {
    return field().map(f -> getMessage() + " (field: " + f + ")").orElse(getMessage());
  }
}
