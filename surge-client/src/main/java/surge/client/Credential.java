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
      public String toString() {
        return "Credential[" + source + "]";
      }
    };
  }
}
