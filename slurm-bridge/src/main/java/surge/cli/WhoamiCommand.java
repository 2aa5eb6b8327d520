package surge.cli;

import picocli.CommandLine.Command;
import surge.client.AdminApi.Fields;
import surge.client.ControlCharacters;

/** {@code surge whoami}: who the server takes this caller for, and by which credential. */
@Command(
    name = "whoami",
    description = {
      "Shows who the server takes you for: the user, the role and how it knew",
      "(token, jwt or munge), e.g. 'alice (role user, via munge)'."
    })
final class WhoamiCommand extends AdminCall {
  @Override
  public Integer call() throws Exception {
    Fields me = api().whoami();
    shell()
        .out()
        .println(
            ControlCharacters.escape(
                me.get("user").or(() -> me.get("name")).orElse("?")
                    + " (role "
                    + me.get("role").orElse("?")
                    + ", via "
                    + me.get("via").orElse("?")
                    + ")"));
    shell().out().flush();
    return ExitCodes.OK;
  }
}
