package surge.policies;

import java.util.Objects;

/**
 * A kernel someone wants run: on the volunteers (a job's kernel) or on the server (a job's
 * reducer).
 *
 * @param user who submits it (the authenticated user name), never blank
 * @param role what the submitter may do on the server
 * @param sha256 the kernel's SHA-256, 64 lower-case hex digits
 * @param use where it would run
 */
public record KernelRequest(String user, Role role, String sha256, Use use) {
  /** The submitter's role on the server, as the server's callers have it. */
  public enum Role {
    USER,
    OPERATOR
  }

  /** Where the kernel would run. */
  public enum Use {
    /** On volunteers' machines, as a job's tasks. */
    TASKS,
    /**
     * On the server, as a job's reducer ({@code merge: reduce}) or its validator ({@code compare:
     * kernel:SHA}).
     */
    REDUCER
  }

  public KernelRequest {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(use, "use");
    Objects.requireNonNull(sha256, "sha256");
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("a kernel request names its user");
    }
  }

  /** True when {@code sha256} is 64 lower-case hex digits, the only form a kernel address has. */
  public boolean wellFormed() {
    return sha256.matches("[0-9a-f]{64}");
  }
}
