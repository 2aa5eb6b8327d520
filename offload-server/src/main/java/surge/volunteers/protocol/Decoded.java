package surge.volunteers.protocol;

import java.util.Optional;

/** The outcome of decoding one frame: a message, or the reason it was refused. */
public sealed interface Decoded {

  record Ok(Message message) implements Decoded {}

  /**
   * A refused frame. {@code MALFORMED} closes the connection (1007); the others are answered with
   * an {@code error} message and the connection stays open.
   */
  record Refused(Kind kind, Optional<String> field, String reason) implements Decoded {}

  enum Kind {
    MALFORMED,
    UNKNOWN_TYPE,
    BAD_MESSAGE
  }
}
