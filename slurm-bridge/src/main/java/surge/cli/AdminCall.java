package surge.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import surge.client.AdminApi;
import surge.client.CredentialException;

/**
 * What every {@code surge admin ...} command and {@code surge whoami} share: {@code --server}, the
 * caller's credential, and the shell. The server decides who may; the CLI only asks.
 */
abstract class AdminCall implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ServerOption server;
  @Mixin HelpOption help;

  Shell shell() {
    return Surge.shell(spec);
  }

  AdminApi api() throws CredentialException {
    return new AdminApi(server.client(shell()));
  }
}
