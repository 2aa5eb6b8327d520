package surge.api;

import java.util.Optional;

/**
 * An expected refusal of a request, with the HTTP status it maps to and the field to blame. Thrown
 * by the control layer, which knows nothing of HTTP beyond this number; {@link ProblemMapper} turns
 * it into {@code {"error": ..., "field": ...}}.
 */
public class Problem extends RuntimeException {
  private final int status;
  private final String field;

  public Problem(int status, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
  }

  /** 400: the request is malformed; {@code field} names the culprit. */
  public static Problem badField(String field, String message) {
    return new Problem(400, field, message);
  }

  /** 403: the caller may not do this (an origin not allowed, for example). */
  public static Problem forbidden(String field, String message) {
    return new Problem(403, field, message);
  }

  public static Problem notFound(String message) {
    return new Problem(404, null, message);
  }

  public static Problem conflict(String message) {
    return new Problem(409, null, message);
  }

  public static Problem tooLarge(String field, String message) {
    return new Problem(413, field, message);
  }

  public int status() {
    return status;
  }

  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
