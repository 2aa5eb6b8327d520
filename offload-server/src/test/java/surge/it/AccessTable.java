package surge.it;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * AccessIT's table: every endpoint with who may call it ({@link Who}), how to build a call, and
 * what a permitted caller gets; and the status each kind of caller ({@link Principal}) must get
 * from a row. Adding an endpoint means adding its row here (AccessIT fails otherwise).
 */
final class AccessTable {
  private AccessTable() {}

  /** Who may call a row: decides the status each principal gets. */
  enum Who {
    /** Anyone, without credentials; a bad credential is still refused (401). */
    PUBLIC,
    /** Any authenticated user. */
    USER,
    /** The owner of alice's job, and operators; bob gets 404, as for a job that does not exist. */
    OWNER,
    /** Operators; users get 403. */
    OPERATOR
  }

  enum Principal {
    NONE,
    FORGED_MUNGE,
    EXPIRED_MUNGE,
    REPLAYED_MUNGE,
    BAD_JWT_SIGNATURE,
    REVOKED_TOKEN,
    ALICE,
    BOB,
    OPERATOR;

    boolean bad() {
      return this != NONE && this != ALICE && this != BOB && this != OPERATOR;
    }
  }

  /** A request to send: method, path (already filled in), content type and body. */
  record Call(String method, String path, String contentType, byte[] body, String origin) {}

  /** One endpoint: who may call it, how to build a call, and the statuses of a permitted caller. */
  record Row(String method, String template, Who who, java.util.function.Supplier<Call> call) {}

  /** What a permitted caller gets, where it is not 200. */
  static final Map<String, Set<Integer>> OK =
      Map.ofEntries(
          Map.entry("POST /api/admin/tokens", Set.of(201)),
          Map.entry("DELETE /api/admin/tokens/{id}", Set.of(204)),
          Map.entry("POST /api/admin/volunteer-keys", Set.of(201)),
          Map.entry("DELETE /api/admin/volunteer-keys/{id}", Set.of(204)),
          Map.entry("POST /api/jobs", Set.of(201)),
          // Alice's job waits for volunteers (there are none): its result is not there yet.
          Map.entry("GET /api/jobs/{id}/result", Set.of(409)),
          Map.entry("POST /api/inputs", Set.of(200, 201)),
          Map.entry("POST /api/kernels", Set.of(200, 201)),
          Map.entry("POST /api/consent/decline", Set.of(204)),
          Map.entry("POST /api/consent/revoke", Set.of(204)),
          // The filter reads "/." as the export (operators only); JAX-RS does not resolve the dot,
          // so an operator finds no resource there. What matters is that nobody else gets past.
          Map.entry("GET /api/consent/export/.", Set.of(404)));

  /** The statuses principal {@code p} must get from {@code row}. */
  static Set<Integer> expected(Row row, Principal p) {
    if (p.bad()) {
      return Set.of(401);
    }
    Set<Integer> ok = OK.getOrDefault(row.method() + " " + row.template(), Set.of(200));
    return switch (row.who()) {
      case PUBLIC -> ok;
      case USER -> p == Principal.NONE ? Set.of(401) : ok;
      case OWNER -> p == Principal.NONE ? Set.of(401) : p == Principal.BOB ? Set.of(404) : ok;
      case OPERATOR ->
          p == Principal.NONE ? Set.of(401) : p == Principal.OPERATOR ? ok : Set.of(403);
    };
  }

  /** What the rows need from the running test: the things it made, and throwaway ones. */
  interface Fixtures {
    /** A job spec alice may submit. */
    String jobSpec();

    /** The id of alice's job (waiting for volunteers). */
    String alicesJob();

    /** The sha256 of an approved kernel. */
    String kernel();

    /** The id of a fresh token, to be revoked. */
    String throwawayToken();

    /** The id of a fresh volunteer key, to be revoked. */
    String throwawayKey();

    /** The sha256 of a fresh approval, to be revoked. */
    String throwawayApproval();

    /** A fresh consent token. */
    String consentToken();
  }

  static Map<String, Row> table(Fixtures f) {
    var rows = new LinkedHashMap<String, Row>();
    add(rows, "GET", "/health", Who.PUBLIC, () -> get("/health"));
    add(rows, "GET", "/metrics", Who.OPERATOR, () -> get("/metrics"));
    add(rows, "GET", "/openapi", Who.OPERATOR, () -> get("/openapi"));
    add(rows, "GET", "/admin/", Who.OPERATOR, () -> get("/admin/"));
    add(rows, "GET", "/admin/api/summary", Who.OPERATOR, () -> get("/admin/api/summary"));
    add(rows, "GET", "/api/admin/volunteers", Who.OPERATOR, () -> get("/api/admin/volunteers"));
    add(rows, "GET", "/api/consent/export/", Who.OPERATOR, () -> get("/api/consent/export/"));
    add(rows, "GET", "/api/consent/export/.", Who.OPERATOR, () -> get("/api/consent/export/."));
    add(
        rows,
        "GET",
        "/webjars/uplot/1.6.30/dist/uPlot.esm.js",
        Who.PUBLIC,
        () -> get("/webjars/uplot/1.6.30/dist/uPlot.esm.js"));
    add(rows, "GET", "/api/whoami", Who.USER, () -> get("/api/whoami"));
    add(
        rows,
        "POST",
        "/api/admin/tokens",
        Who.OPERATOR,
        () -> json("POST", "/api/admin/tokens", "{\"user\":\"carol\",\"role\":\"user\"}"));
    add(rows, "GET", "/api/admin/tokens", Who.OPERATOR, () -> get("/api/admin/tokens"));
    add(
        rows,
        "DELETE",
        "/api/admin/tokens/{id}",
        Who.OPERATOR,
        () -> new Call("DELETE", "/api/admin/tokens/" + f.throwawayToken(), null, null, null));
    add(
        rows,
        "POST",
        "/api/admin/volunteer-keys",
        Who.OPERATOR,
        () -> json("POST", "/api/admin/volunteer-keys", "{\"name\":\"access-it\"}"));
    add(
        rows,
        "GET",
        "/api/admin/volunteer-keys",
        Who.OPERATOR,
        () -> get("/api/admin/volunteer-keys"));
    add(
        rows,
        "DELETE",
        "/api/admin/volunteer-keys/{id}",
        Who.OPERATOR,
        () ->
            new Call("DELETE", "/api/admin/volunteer-keys/" + f.throwawayKey(), null, null, null));
    add(rows, "POST", "/api/jobs", Who.USER, () -> json("POST", "/api/jobs", f.jobSpec()));
    add(rows, "GET", "/api/jobs", Who.USER, () -> get("/api/jobs"));
    add(rows, "GET", "/api/jobs/{id}", Who.OWNER, () -> get("/api/jobs/" + f.alicesJob()));
    add(
        rows,
        "GET",
        "/api/jobs/{id}/result",
        Who.OWNER,
        () -> get("/api/jobs/" + f.alicesJob() + "/result"));
    add(
        rows,
        "POST",
        "/api/jobs/{id}/cancel",
        Who.OWNER,
        () -> new Call("POST", "/api/jobs/" + f.alicesJob() + "/cancel", null, new byte[0], null));
    add(
        rows,
        "POST",
        "/api/inputs",
        Who.USER,
        () ->
            new Call("POST", "/api/inputs", "application/octet-stream", "1\n2\n".getBytes(), null));
    add(
        rows,
        "POST",
        "/api/kernels",
        Who.USER,
        () -> new Call("POST", "/api/kernels", "application/wasm", TestKernels.wasm("noop"), null));
    add(rows, "GET", "/api/kernels/{sha256}", Who.PUBLIC, () -> get("/api/kernels/" + f.kernel()));
    add(
        rows,
        "PUT",
        "/api/admin/kernels/{sha256}/approval",
        Who.OPERATOR,
        () ->
            json(
                "PUT",
                "/api/admin/kernels/" + f.kernel() + "/approval",
                "{\"note\":\"noop, approved again by AccessIT\"}"));
    add(
        rows,
        "DELETE",
        "/api/admin/kernels/{sha256}/approval",
        Who.OPERATOR,
        () ->
            new Call(
                "DELETE",
                "/api/admin/kernels/" + f.throwawayApproval() + "/approval",
                null,
                null,
                null));
    add(
        rows,
        "GET",
        "/api/admin/kernels/approvals",
        Who.OPERATOR,
        () -> get("/api/admin/kernels/approvals"));
    add(rows, "GET", "/api/admin/audit", Who.OPERATOR, () -> get("/api/admin/audit"));
    add(
        rows,
        "POST",
        "/api/consent",
        Who.PUBLIC,
        () -> page("/api/consent", "{\"site\":\"https://it.example\",\"revision\":1,\"cpu\":50}"));
    add(
        rows,
        "POST",
        "/api/consent/decline",
        Who.PUBLIC,
        () -> page("/api/consent/decline", "{\"site\":\"https://it.example\",\"revision\":1}"));
    add(
        rows,
        "POST",
        "/api/consent/revoke",
        Who.PUBLIC,
        () -> page("/api/consent/revoke", "{\"token\":\"" + f.consentToken() + "\"}"));
    add(rows, "GET", "/api/consent/export", Who.OPERATOR, () -> get("/api/consent/export"));
    add(rows, "GET", "/api/projects/{id}", Who.PUBLIC, () -> get("/api/projects/demo"));
    return rows;
  }

  static void add(
      Map<String, Row> rows,
      String method,
      String template,
      Who who,
      java.util.function.Supplier<Call> call) {
    rows.put(method + " " + template, new Row(method, template, who, call));
  }

  static Call get(String path) {
    return new Call("GET", path, null, null, null);
  }

  static Call json(String method, String path, String body) {
    return new Call(method, path, "application/json", body.getBytes(), null);
  }

  /** A request as a page of the allowed origin sends it (consent endpoints). */
  static Call page(String path, String body) {
    return new Call("POST", path, "application/json", body.getBytes(), "https://it.example");
  }
}
