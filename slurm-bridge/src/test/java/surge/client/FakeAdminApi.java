package surge.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator endpoints of the contract ({@code /api/admin/*}, {@code /api/whoami}) in memory, for
 * {@link FakeSurgeServer}. Callers are known by their {@code Authorization} header; only an
 * operator may use {@code /api/admin/*} (else 403), as the real server decides.
 */
public final class FakeAdminApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An answer: JSON, raw NDJSON bytes, or neither (204). */
  record Answer(int status, JsonNode json, byte[] raw) {}

  /** Who a header stands for. */
  public record Caller(String name, String role, String via) {}

  private final Map<String, Caller> callers = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> tokens = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> keys = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> approvals = new ConcurrentHashMap<>();
  private final List<String> audit = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();

  /** Requests with this {@code Authorization} header come from {@code caller}. */
  public void knows(String authorization, Caller caller) {
    callers.put(authorization, caller);
  }

  /** Adds a line to the audit log, as given (hostile text included). */
  public void audit(String ndjsonLine) {
    audit.add(ndjsonLine);
  }

  /** A stored record (for tests that plant odd values): kind is tokens, keys or approvals. */
  public ObjectNode plant(String kind, String id) {
    ObjectNode node = JSON.createObjectNode().put("id", id);
    switch (kind) {
      case "tokens" -> tokens.put(id, node);
      case "keys" -> keys.put(id, node);
      default -> approvals.put(id, node.put("sha256", id));
    }
    return node;
  }

  public Map<String, ObjectNode> approvals() {
    return approvals;
  }

  public Map<String, ObjectNode> tokens() {
    return tokens;
  }

  Answer handle(String method, String path, byte[] body, String authorization) {
    Caller caller = authorization == null ? null : callers.get(authorization);
    if (caller == null) {
      return new Answer(401, FakeSurgeServer.error("a credential is required"), null);
    }
    if (path.equals("/api/whoami") && method.equals("GET")) {
      return new Answer(
          200,
          JSON.createObjectNode()
              .put("user", caller.name())
              .put("role", caller.role())
              .put("via", caller.via()),
          null);
    }
    if (!caller.role().equals("operator")) {
      return new Answer(403, FakeSurgeServer.error("operators only"), null);
    }
    String[] parts = path.substring("/api/admin/".length()).split("/");
    return switch (parts[0]) {
      case "tokens" -> tokens(method, parts, body);
      case "volunteer-keys" -> keys(method, parts, body);
      case "kernels" -> kernels(method, parts, body, caller);
      case "audit" ->
          new Answer(
              200, null, String.join("\n", audit).concat("\n").getBytes(StandardCharsets.UTF_8));
      default -> new Answer(404, FakeSurgeServer.error("no route " + path), null);
    };
  }

  private Answer tokens(String method, String[] parts, byte[] body) {
    if (method.equals("POST") && parts.length == 1) {
      JsonNode spec = read(body);
      String id = "t-" + ids.incrementAndGet();
      ObjectNode stored = JSON.createObjectNode().put("id", id);
      stored.put("user", spec.path("user").asText()).put("role", spec.path("role").asText());
      stored.put("createdAt", "2026-12-03T15:00:00Z");
      stored.put("expires", spec.path("expires").asText(null));
      tokens.put(id, stored);
      ObjectNode answer = stored.deepCopy().put("token", "surge_secret" + id);
      return new Answer(201, answer, null);
    }
    return list(method, parts, tokens);
  }

  private Answer keys(String method, String[] parts, byte[] body) {
    if (method.equals("POST") && parts.length == 1) {
      JsonNode spec = read(body);
      String id = "k-" + ids.incrementAndGet();
      ObjectNode stored = JSON.createObjectNode().put("id", id);
      stored.put("name", spec.path("name").asText());
      stored.put("trusted", spec.path("trusted").asBoolean());
      keys.put(id, stored);
      return new Answer(201, stored.deepCopy().put("key", "surgevk_secret" + id), null);
    }
    return list(method, parts, keys);
  }

  private Answer kernels(String method, String[] parts, byte[] body, Caller caller) {
    if (method.equals("GET") && parts.length == 2 && parts[1].equals("approvals")) {
      ArrayNode all = JSON.createArrayNode();
      approvals.values().forEach(all::add);
      return new Answer(200, all, null);
    }
    if (parts.length == 3 && parts[2].equals("approval")) {
      String sha = parts[1];
      if (method.equals("PUT")) {
        ObjectNode approval = JSON.createObjectNode().put("sha256", sha);
        approval.put("note", read(body).path("note").asText());
        approval.put("approvedBy", caller.name()).put("approvedAt", "2026-12-03T15:00:00Z");
        approvals.put(sha, approval);
        return new Answer(200, approval, null);
      }
      if (method.equals("DELETE")) {
        return approvals.remove(sha) == null
            ? new Answer(404, FakeSurgeServer.error("no approval of " + sha), null)
            : new Answer(204, null, null);
      }
    }
    return new Answer(405, FakeSurgeServer.error(method + " not allowed"), null);
  }

  private static Answer list(String method, String[] parts, Map<String, ObjectNode> store) {
    if (method.equals("GET") && parts.length == 1) {
      ArrayNode all = JSON.createArrayNode();
      store.values().forEach(all::add);
      return new Answer(200, all, null);
    }
    if (method.equals("DELETE") && parts.length == 2) {
      return store.remove(parts[1]) == null
          ? new Answer(404, FakeSurgeServer.error("no " + parts[1]).put("field", "id"), null)
          : new Answer(204, null, null);
    }
    return new Answer(405, FakeSurgeServer.error(method + " not allowed"), null);
  }

  private static JsonNode read(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
