package surge.consent.control;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The web origins (SURGE_ALLOWED_ORIGINS) whose pages may obtain consent and open volunteer
 * connections. Empty: no web page may ({@code *} allows every origin, for development only). A
 * request without an {@code Origin} header does not come from a web page (browsers always send one
 * on a cross-origin request, a POST and a WebSocket handshake), so it is a headless volunteer or a
 * tool, and is let through.
 */
public final class Origins {
  private final Set<String> allowed;
  private final boolean any;

  public Origins(List<String> configured) {
    this.any = configured.contains("*");
    this.allowed =
        configured.stream()
            .filter(o -> !o.equals("*"))
            .map(
                o ->
                    normalize(o)
                        .orElseThrow(
                            () ->
                                new IllegalArgumentException(
                                    "SURGE_ALLOWED_ORIGINS: '"
                                        + o
                                        + "' is not an origin such as https://example.org")))
            .collect(Collectors.toUnmodifiableSet());
  }

  /** Whether a page of {@code origin} (a present, non-blank Origin header) is allowed. */
  public boolean allows(String origin) {
    if (origin == null) {
      return false;
    }
    if (any) {
      return !origin.isBlank();
    }
    return normalize(origin).map(allowed::contains).orElse(false);
  }

  /** A request with this Origin header (null: none) may go on. */
  public boolean admits(String originHeader) {
    return originHeader == null || allows(originHeader);
  }

  public boolean none() {
    return !any && allowed.isEmpty();
  }

  public boolean any() {
    return any;
  }

  /** scheme://host[:port] in lower case, without a default port or trailing slash; else empty. */
  public static Optional<String> normalize(String origin) {
    try {
      URI u = new URI(origin.trim());
      if (u.getScheme() == null
          || u.getHost() == null
          || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
          || u.getRawQuery() != null
          || u.getRawFragment() != null
          || u.getRawUserInfo() != null) {
        return Optional.empty();
      }
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return Optional.empty();
      }
      int port = u.getPort();
      boolean defaultPort =
          port == -1
              || (scheme.equals("http") && port == 80)
              || (scheme.equals("https") && port == 443);
      return Optional.of(
          scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port));
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return any ? "*" : allowed.isEmpty() ? "(none)" : String.join(",", allowed);
  }
}
