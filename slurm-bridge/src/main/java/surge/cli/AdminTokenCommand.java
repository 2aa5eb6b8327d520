package surge.cli;

import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import surge.client.AdminApi.Fields;
import surge.client.ControlCharacters;
import surge.slurmcommon.script.Durations;

/** {@code surge admin token create | list | revoke}: API tokens for users and scripts. */
@Command(
    name = "token",
    description = "API tokens: for workflow engines, scripts and hosts without MUNGE.",
    subcommands = {
      AdminTokenCommand.Create.class,
      AdminTokenCommand.ListTokens.class,
      AdminTokenCommand.Revoke.class
    })
final class AdminTokenCommand extends AdminCommand.Group {

  /** Who a token is for: the roles of the API. */
  enum Role {
    user,
    operator
  }

  @Command(
      name = "create",
      description = {
        "Creates an API token and prints it once, alone on stdout (the rest goes to stderr),",
        "so that TOKEN=$(surge admin token create --user alice --role user) works.",
        "The server keeps only its hash: a lost token is revoked and made anew."
      })
  static final class Create extends AdminCall {
    @Option(names = "--user", required = true, paramLabel = "NAME", description = "Whose token.")
    String user;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "user|operator",
        description = "user: own jobs only; operator: everything, including these commands.")
    Role role;

    @Option(
        names = "--expires",
        paramLabel = "DURATION",
        description = "Lifetime such as 90d or 12h (default: the server's).")
    String expires;

    @Override
    public Integer call() throws Exception {
      if (user.isBlank() || ControlCharacters.firstUnsafe(user).isPresent()) {
        throw new ParameterException(
            spec.commandLine(),
            "--user: a user name without blanks or control characters, got '"
                + ControlCharacters.escape(user)
                + "'");
      }
      if (expires != null) {
        try {
          Durations.positive(expires);
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), "--expires: " + e.getMessage());
        }
      }
      Shell shell = shell();
      Fields created = api().createToken(user.strip(), role.name(), Optional.ofNullable(expires));
      String token = created.get("token").orElse("");
      if (token.isEmpty() || ControlCharacters.firstUnsafe(token).isPresent()) {
        throw new CommandFailure(
            ExitCodes.ERROR, "the server answered no usable token: " + created.values().keySet());
      }
      shell.out().println(token);
      shell.out().flush();
      shell
          .err()
          .println(
              ControlCharacters.escape(
                  "surge: created API token "
                      + created.get("id").orElse("?")
                      + " for "
                      + created.get("user").orElse(user)
                      + " (role "
                      + created.get("role").orElse(role.name())
                      + ", expires "
                      + created.get("expiresAt").orElse("never")
                      + "). It is shown only now: give it to its user for SURGE_TOKEN or"
                      + " ~/.config/surge/token (chmod 600)."));
      shell.err().flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "Lists the API tokens (never the tokens themselves).")
  static final class ListTokens extends AdminCall {
    @Override
    public Integer call() throws Exception {
      Table table = new Table("ID", "USER", "ROLE", "STATE", "CREATED", "BY", "EXPIRES");
      for (Fields t : api().tokens()) {
        table.row(
            t.get("id").orElse(null),
            t.get("user").orElse(null),
            t.get("role").orElse(null),
            AdminCommand.state(t),
            t.get("createdAt").orElse(null),
            t.get("createdBy").orElse(null),
            t.get("expiresAt").orElse("never"));
      }
      table.print(shell().out());
      return ExitCodes.OK;
    }
  }

  @Command(name = "revoke", description = "Revokes an API token: it stops working at once.")
  static final class Revoke extends AdminCall {
    @Parameters(paramLabel = "ID", description = "The token's id, as token list shows it.")
    String id;

    @Override
    public Integer call() throws Exception {
      api().revokeToken(id);
      shell().out().println("revoked API token " + ControlCharacters.escape(id));
      return ExitCodes.OK;
    }
  }
}
