package surge.client;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The server answered with an error status. {@link #getMessage()} is the server's own {@code error}
 * text when the body is the documented JSON error object, else a short description of the answer.
 */
public final class SurgeApiException extends Exception {
  private static final int MAX_TEXT = 300;

  /** Where to get a credential, for a 401. */
  static final String HOW_TO_GET_ONE =
      "get an API token from a Surge operator (surge admin token create --user NAME) and put it in"
          + " SURGE_TOKEN or ~/.config/surge/token (chmod 600), or run surge where munged runs"
          + " (a Slurm node)";

  private final int status;
  private final String field;
  private final String credential;

  public SurgeApiException(int status, String message, String field) {
    this(status, message, field, null);
  }

  private SurgeApiException(int status, String message, String field, String credential) {
    super(message);
    this.status = status;
    this.field = field;
    this.credential = credential;
  }

  /** The same refusal, knowing which credential the request carried (for 401 and 403). */
  SurgeApiException withCredential(String described) {
    return new SurgeApiException(status, getMessage(), field, described);
  }

  /** 401 or 403: the credential was missing, not accepted, or not enough. */
  public boolean isAuthentication() {
    return status == 401 || status == 403;
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

  /**
   * The server's message, followed by the field it blames, on one line with control characters
   * escaped (the server may repeat what a user wrote). A 401 says which credentials were tried and
   * how to get one; a 403 which credential was refused.
   */
  public String describe() {
    String text =
        ControlCharacters.escape(
            field().map(f -> getMessage() + " (field: " + f + ")").orElse(getMessage()));
    if (status == 401) {
      return "not authenticated ("
          + text
          + "); tried "
          + (credential == null ? "no credential" : credential)
          + "; "
          + HOW_TO_GET_ONE;
    }
    if (status == 403) {
      return "not allowed ("
          + text
          + ") with "
          + (credential == null ? "no credential" : credential);
    }
    return text;
  }
}
