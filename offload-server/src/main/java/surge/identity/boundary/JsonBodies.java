package surge.identity.boundary;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import java.io.StringReader;
import surge.api.Problem;

/** Reads the small JSON bodies of the admin endpoints. */
final class JsonBodies {
  private static final int MAX = 16_384;

  private JsonBodies() {}

  static JsonObject object(String body) {
    if (body != null && body.length() > MAX) {
      throw Problem.tooLarge(null, "the body has more than " + MAX + " characters");
    }
    try (var r = Json.createReader(new StringReader(body == null ? "" : body))) {
      return r.readObject();
    } catch (JsonException | IllegalStateException e) {
      throw Problem.badField(null, "the body must be a JSON object");
    }
  }
}
