package surge.client;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's endpoints of the REST API ({@code /api/admin/*}, docs/api.md) and {@code GET
 * /api/whoami}. Records come back as flat maps of their fields (nested values as JSON text), so
 * that a newer server's extra fields pass through to the tables unharmed.
 */
public final class AdminApi {
  private static final String TOKENS = "/api/admin/tokens";
  private static final String KEYS = "/api/admin/volunteer-keys";
  private static final String KERNELS = "/api/admin/kernels/";

  private final SurgeClient client;

  public AdminApi(SurgeClient client) {
    this.client = client;
  }

  /** One record of the API: field name to its text (JSON null as absent). */
  public record Fields(Map<String, String> values) {
    public Optional<String> get(String name) {
      return Optional.ofNullable(values.get(name));
    }
  }

  /** {@code POST /api/admin/tokens}: the answer holds the token, shown this once. */
  public Fields createToken(String user, String role, Optional<String> expires)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    JsonObjectBuilder body = Json.createObjectBuilder().add("user", user).add("role", role);
    expires.ifPresent(e -> body.add("expires", e));
    return one(client.exchange("POST", TOKENS, body.build().toString()));
  }

  public List<Fields> tokens()
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    return many(client.exchange("GET", TOKENS, null));
  }

  public void revokeToken(String id)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    client.exchange("DELETE", TOKENS + "/" + SurgeClient.segment(id), null);
  }

  /** {@code POST /api/admin/volunteer-keys}: the answer holds the key, shown this once. */
  public Fields createVolunteerKey(String name, boolean trusted)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    String body =
        Json.createObjectBuilder().add("name", name).add("trusted", trusted).build().toString();
    return one(client.exchange("POST", KEYS, body));
  }

  public List<Fields> volunteerKeys()
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    return many(client.exchange("GET", KEYS, null));
  }

  public void revokeVolunteerKey(String id)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    client.exchange("DELETE", KEYS + "/" + SurgeClient.segment(id), null);
  }

  /** {@code PUT /api/admin/kernels/{sha256}/approval}: answers the approval as stored. */
  public Fields approveKernel(String sha256, String note)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    String body = Json.createObjectBuilder().add("note", note).build().toString();
    String answer =
        client.exchange("PUT", KERNELS + SurgeClient.segment(sha256) + "/approval", body);
    return answer.isBlank() ? new Fields(Map.of("sha256", sha256, "note", note)) : one(answer);
  }

  public List<Fields> approvals()
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    return many(client.exchange("GET", KERNELS + "approvals", null));
  }

  public void revokeApproval(String sha256)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    client.exchange("DELETE", KERNELS + SurgeClient.segment(sha256) + "/approval", null);
  }

  /** {@code GET /api/admin/audit}: the audit log as NDJSON, streamed into {@code sink}. */
  public long audit(OutputStream sink)
      throws IOException, SurgeApiException, SurgeUnreachableException, InterruptedException {
    return client.download("/api/admin/audit", "application/x-ndjson, application/json", sink);
  }

  /** {@code GET /api/whoami}: who the server takes the caller for. */
  public Fields whoami() throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    return one(client.exchange("GET", "/api/whoami", null));
  }

  private static Fields one(String json) throws SurgeApiException {
    JsonValue value = parse(json);
    if (!(value instanceof JsonObject o)) {
      throw unexpected(json);
    }
    return fields(o);
  }

  /** A list answer: a JSON array, or an object holding one array (a paged answer). */
  private static List<Fields> many(String json) throws SurgeApiException {
    JsonValue value = parse(json);
    JsonArray array = null;
    if (value instanceof JsonArray a) {
      array = a;
    } else if (value instanceof JsonObject o) {
      for (JsonValue v : o.values()) {
        if (v instanceof JsonArray a) {
          array = a;
          break;
        }
      }
    }
    if (array == null) {
      throw unexpected(json);
    }
    List<Fields> out = new ArrayList<>();
    for (JsonValue v : array) {
      if (!(v instanceof JsonObject o)) {
        throw unexpected(json);
      }
      out.add(fields(o));
    }
    return out;
  }

  private static Fields fields(JsonObject o) {
    Map<String, String> values = new LinkedHashMap<>();
    o.forEach(
        (k, v) -> {
          if (v instanceof JsonString s) {
            values.put(k, s.getString());
          } else if (v.getValueType() != JsonValue.ValueType.NULL) {
            values.put(k, v.toString());
          }
        });
    return new Fields(values);
  }

  private static JsonValue parse(String json) throws SurgeApiException {
    try (var reader = Json.createReader(new StringReader(json))) {
      return reader.readValue();
    } catch (RuntimeException e) {
      throw unexpected(json);
    }
  }

  private static SurgeApiException unexpected(String body) {
    String start = body.length() > 120 ? body.substring(0, 120) + "…" : body;
    return new SurgeApiException(200, "unexpected answer: " + start, null);
  }
}
