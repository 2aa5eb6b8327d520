package surge.identity.control;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who may call a path (docs/api.md, "Authentication"). The path is normalised first, the way a
 * container or JAX-RS might read it (dots resolved, empty segments and path parameters dropped, a
 * trailing slash ignored), so {@code /api/consent/export/.} is the export as far as access goes.
 * Anything not named public needs a caller: a new endpoint is closed until someone opens it.
 */
public enum Access {
  PUBLIC,
  USER,
  OPERATOR;

  private static final Pattern KERNEL = Pattern.compile("/api/kernels/[0-9a-fA-F]{64}");
  private static final Pattern PROJECT = Pattern.compile("/api/projects/[^/]+");

  /** Who may call {@code method} on {@code path}; empty when the path cannot be read safely. */
  public static Optional<Access> of(String method, String rawPath) {
    return normalize(rawPath).map(path -> forPath(method, path));
  }

  static Access forPath(String method, String path) {
    if (path.equals("/metrics")
        || under(path, "/openapi")
        || under(path, "/api/admin")
        || under(path, "/api/consent/export")
        || under(path, "/admin")) {
      return OPERATOR;
    }
    boolean read = method.equals("GET") || method.equals("HEAD");
    boolean preflight = method.equals("OPTIONS");
    if (path.equals("/health")
        || path.equals("/volunteer")
        || under(path, "/surge")
        || ((read || preflight)
            && (KERNEL.matcher(path).matches() || PROJECT.matcher(path).matches()))
        // The dashboard's chart library (a public open-source file): a browser logged in to
        // /admin/ sends its Basic credentials only below /admin/, so a closed /webjars left the
        // dashboard's module script unloaded ("connecting..." for ever).
        || (read && under(path, "/webjars"))
        || ((method.equals("POST") || preflight)
            && (path.equals("/api/consent")
                || path.equals("/api/consent/decline")
                || path.equals("/api/consent/revoke")))
        || (preflight && path.equals("/api/kernels"))) {
      return PUBLIC;
    }
    return USER;
  }

  private static boolean under(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }

  /**
   * {@code /a/b} from a raw request path: percent-decoded once, {@code ;params} dropped from each
   * segment, {@code .} and {@code ..} resolved, empty segments and a trailing slash dropped. Empty
   * for what no honest client sends: an encoded slash or backslash, a {@code ..} above the root,
   * control characters, or a bad escape.
   */
  public static Optional<String> normalize(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      return Optional.empty();
    }
    Deque<String> segments = new ArrayDeque<>();
    for (String raw : rawPath.split("/")) {
      int semicolon = raw.indexOf(';');
      String segment = semicolon < 0 ? raw : raw.substring(0, semicolon);
      Optional<String> decoded = decode(segment);
      if (decoded.isEmpty()) {
        return Optional.empty();
      }
      String s = decoded.get();
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (segments.isEmpty()) {
          return Optional.empty();
        }
        segments.removeLast();
        continue;
      }
      segments.addLast(s);
    }
    return Optional.of("/" + String.join("/", segments));
  }

  private static Optional<String> decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return clean(segment);
    }
    var out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c != '%') {
        out.write(c);
        continue;
      }
      if (i + 2 >= segment.length()) {
        return Optional.empty();
      }
      int hi = Character.digit(segment.charAt(i + 1), 16);
      int lo = Character.digit(segment.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return Optional.empty();
      }
      out.write(hi * 16 + lo);
      i += 2;
    }
    String s = out.toString(StandardCharsets.UTF_8);
    // Decoded once only: a % left over would be decoded again by someone else.
    return s.indexOf('%') >= 0 ? Optional.empty() : clean(s);
  }

  private static Optional<String> clean(String s) {
    boolean bad =
        s.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ';');
    return bad ? Optional.empty() : Optional.of(s);
  }
}
