package surge.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code surge admin}: the operator's commands; each needs an operator's credential. */
@Command(
    name = "admin",
    description = {
      "The operator's commands: API tokens, volunteer keys, kernel approvals, the audit log.",
      "They need an operator's credential, e.g. SURGE_TOKEN=$(cat $SURGE_DATA_DIR/admin-token)."
    },
    subcommands = {
      AdminTokenCommand.class,
      AdminVolunteerKeyCommand.class,
      AdminKernelCommand.class,
      AdminAuditCommand.class
    })
final class AdminCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @picocli.CommandLine.Mixin private HelpOption help;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing a command");
  }

  /** A token's or key's state for the tables: revoked (when), expired, or valid. */
  static String state(surge.client.AdminApi.Fields record) {
    return record
        .get("revokedAt")
        .map(at -> "revoked " + at)
        .orElse(
            record.get("valid").map(v -> v.equals("false") ? "expired" : "valid").orElse("valid"));
  }

  /** A group of commands ({@code token}, {@code kernel}, ...) run without one of them. */
  abstract static class Group implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin HelpOption help;

    @Override
    public Integer call() {
      throw new ParameterException(spec.commandLine(), "missing a command");
    }
  }
}
