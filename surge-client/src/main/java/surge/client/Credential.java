package surge.client;

import java.util.Optional;

/**
 * How the client proves who calls: asked once per request, since a MUNGE credential may be used
 * only once (munged refuses replays). See {@link Credentials#resolve} for where it comes from.
 */
public interface Credential {
  /** The {@code Authorization} header for one request; empty sends none. */
  Optional<String> authorization();

  /**
   * For messages, never the secret itself: {@code the API token in SURGE_TOKEN}, {@code MUNGE
   * (munge -n)}, or for no credential what was looked for.
   */
  String describe();

  /**
   * Where another process of the same user finds this credential again, without the secret: {@code
   * bearer-env:NAME}, {@code bearer-file:PATH}, {@code munge} or {@code munge:SOCKET}; empty when
   * it cannot (surge-wait, the light waiter of {@code surge offload}, reads it).
   */
  default Optional<String> origin() {
    return Optional.empty();
  }

  /** No credential: requests go without one (public endpoints, or a server without auth). */
  static Credential none() {
    return none("no credential given");
  }

  static Credential none(String tried) {
    return new Credential() {
      @Override
      public Optional<String> authorization() {
        return Optional.empty();
      }

      @Override
      public String describe() {
        return tried;
      }
    };
  }

  /** {@code Authorization: Bearer TOKEN}: an API token or a Slurm JWT, from {@code source}. */
  static Credential bearer(String token, String source) {
    return bearer(token, source, Optional.empty());
  }

  /** As {@link #bearer(String, String)}, found again at {@code origin} (see {@link #origin()}). */
  static Credential bearer(String token, String source, Optional<String> origin) {
    Optional<String> header = Optional.of("Bearer " + token);
    return new Credential() {
      @Override
      public Optional<String> authorization() {
        return header;
      }

      @Override
      public String describe() {
        return source;
      }

      @Override
      public Optional<String> origin() {
        return origin;
      }

      @Override
      public String toString() {
        return "Credential[" + source + "]";
      }
    };
  }
}
