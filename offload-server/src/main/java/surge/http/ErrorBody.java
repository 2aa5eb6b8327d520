package surge.http;

import jakarta.json.Json;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The error body of docs/api.md, {@code {"error": ..., "field": ...}}, for servlets and filters.
 */
public final class ErrorBody {
  private ErrorBody() {}

  /** The JSON text; {@code field} and {@code id} are left out when null. */
  public static String json(String message, String field, String id) {
    var body = Json.createObjectBuilder().add("error", message == null ? "error" : message);
    if (field != null) {
      body.add("field", field);
    }
    if (id != null) {
      body.add("id", id);
    }
    return body.build().toString();
  }

  /** Answers with this status and body, unless the response is already on its way. */
  public static void send(HttpServletResponse resp, int status, String message, String field)
      throws IOException {
    if (resp.isCommitted()) {
      return;
    }
    resp.resetBuffer();
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.setHeader("Cache-Control", "no-store");
    byte[] bytes = json(message, field, null).getBytes(StandardCharsets.UTF_8);
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
