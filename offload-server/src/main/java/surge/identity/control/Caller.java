package surge.identity.control;

import java.util.Objects;

/**
 * Who made a request, once authenticated: a user name (the Slurm user for MUNGE and JWT, the
 * token's user for an API token) and a role. Every control method that reads or changes a user's
 * state takes one, so ownership is checked where the state is, not in each endpoint.
 *
 * @param name the user name, never blank
 * @param role what the caller may do
 * @param via how the caller proved it (for logs and the audit trail): {@code munge}, {@code jwt},
 *     {@code token}, {@code password}, or {@code system} for the server's own work (rescue)
 */
public record Caller(String name, Role role, String via) {
  /** What a caller may do. */
  public enum Role {
    /** Submits jobs and sees, downloads and cancels only their own. */
    USER,
    /** Sees and cancels every job, manages credentials and kernel approvals, reads metrics. */
    OPERATOR;

    /** The role's name as the API, the CLI and the servlet roles spell it. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Caller {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(via, "via");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a caller has a name");
    }
  }

  public boolean operator() {
    return role == Role.OPERATOR;
  }

  /** True when this caller may see or act on state owned by {@code owner}. */
  public boolean mayActOn(String owner) {
    return operator() || name.equals(owner);
  }

  /** The server acting on a Slurm user's behalf (a rescued job belongs to its Slurm owner). */
  public static Caller system(String onBehalfOf) {
    return new Caller(onBehalfOf, Role.USER, "system");
  }
}
