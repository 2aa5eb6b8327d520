package surge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import surge.client.AdminApi.Fields;
import surge.client.ControlCharacters;

/** {@code surge admin volunteer-key create | list | revoke}: keys for headless volunteers. */
@Command(
    name = "volunteer-key",
    description = "Keys for the centre's own headless volunteers (bin/surge-volunteer --key).",
    subcommands = {
      AdminVolunteerKeyCommand.Create.class,
      AdminVolunteerKeyCommand.ListKeys.class,
      AdminVolunteerKeyCommand.Revoke.class
    })
final class AdminVolunteerKeyCommand extends AdminCommand.Group {

  @Command(
      name = "create",
      description = {
        "Creates a volunteer key and prints it once, alone on stdout (the rest goes to stderr):",
        "  bin/surge-volunteer --key \"$(surge admin volunteer-key create --name node-1)\""
      })
  static final class Create extends AdminCall {
    @Option(
        names = "--name",
        required = true,
        paramLabel = "NAME",
        description = "Which machine uses it, for lists and logs.")
    String name;

    @Option(
        names = "--trusted",
        description = "The machine is the centre's own: its results may verify others'.")
    boolean trusted;

    @Override
    public Integer call() throws Exception {
      if (name.isBlank() || ControlCharacters.firstUnsafe(name).isPresent()) {
        throw new ParameterException(
            spec.commandLine(),
            "--name: a name without control characters, got '"
                + ControlCharacters.escape(name)
                + "'");
      }
      Shell shell = shell();
      Fields created = api().createVolunteerKey(name, trusted);
      String key = created.get("key").orElse("");
      if (key.isEmpty() || ControlCharacters.firstUnsafe(key).isPresent()) {
        throw new CommandFailure(
            ExitCodes.ERROR, "the server answered no usable key: " + created.values().keySet());
      }
      shell.out().println(key);
      shell.out().flush();
      shell
          .err()
          .println(
              ControlCharacters.escape(
                  "surge: created volunteer key "
                      + created.get("id").orElse("?")
                      + " for '"
                      + created.get("name").orElse(name)
                      + "' ("
                      + (Boolean.parseBoolean(created.get("trusted").orElse("" + trusted))
                          ? "trusted"
                          : "not trusted")
                      + "). It is shown only now: bin/surge-volunteer --key KEY, or"
                      + " SURGE_VOLUNTEER_KEY."));
      shell.err().flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "Lists the volunteer keys (never the keys themselves).")
  static final class ListKeys extends AdminCall {
    @Override
    public Integer call() throws Exception {
      Table table = new Table("ID", "NAME", "TRUSTED", "STATE", "CREATED");
      for (Fields k : api().volunteerKeys()) {
        table.row(
            k.get("id").orElse(null),
            k.get("name").orElse(null),
            k.get("trusted").orElse(null),
            AdminCommand.state(k),
            k.get("createdAt").orElse(null));
      }
      table.print(shell().out());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "revoke",
      description = "Revokes a volunteer key: volunteers using it are refused from then on.")
  static final class Revoke extends AdminCall {
    @Parameters(paramLabel = "ID", description = "The key's id, as volunteer-key list shows it.")
    String id;

    @Override
    public Integer call() throws Exception {
      api().revokeVolunteerKey(id);
      shell().out().println("revoked volunteer key " + ControlCharacters.escape(id));
      return ExitCodes.OK;
    }
  }
}
