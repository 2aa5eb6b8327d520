package surge.http;

import java.io.IOException;
import java.util.Optional;

/**
 * A request body that grew past its limit while being read (a chunked body has no Content-Length to
 * check first). An I/O failure so that every reader stops at once; the error mappers find it among
 * the causes of whatever the reader wrapped it in and answer 413.
 */
public final class BodyTooLarge extends IOException {
  private final BodyLimits.Limit limit;

  public BodyTooLarge(BodyLimits.Limit limit) {
    super(limit.refusal(), null);
    this.limit = limit;
  }

  public BodyLimits.Limit limit() {
    return limit;
  }

  /** This failure if it is {@code t} or one of its causes. */
  public static Optional<BodyTooLarge> among(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof BodyTooLarge tooLarge) {
        return Optional.of(tooLarge);
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // an expected refusal: nobody reads its stack
  }
}
