package surge.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import surge.client.CredentialException;
import surge.client.Credentials;
import surge.client.SurgeClient;

/**
 * The {@code --server URL} option every command shares, falling back to {@code SURGE_SERVER} and
 * then to the site's configuration file ({@link SurgeConfig}).
 */
final class ServerOption {
  static final String ENV = "SURGE_SERVER";

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "The Surge server, e.g. http://localhost:8080 (default: $"
              + ENV
              + ", else server= in /etc/surge/surge.conf or the file $"
              + SurgeConfig.ENV
              + " names).")
  private String server;

  /** A client for the server with the caller's credential ({@link Credentials#resolve}). */
  SurgeClient client(Shell shell) throws CredentialException {
    return new SurgeClient(uri(shell), Credentials.resolve(shell.env()));
  }

  URI uri(Shell shell) {
    String source = "--server";
    Optional<String> value = Optional.ofNullable(server).filter(s -> !s.isBlank());
    if (value.isEmpty()) {
      source = ENV;
      value = shell.env(ENV);
    }
    if (value.isEmpty()) {
      SurgeConfig config = SurgeConfig.in(shell.env());
      source = "server in " + config.file();
      try {
        value = config.server();
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
      if (value.isEmpty()) {
        throw usage(
            "no Surge server given: pass --server URL, set "
                + ENV
                + ", or write server=URL into "
                + config.file()
                + (shell.env(SurgeConfig.ENV).isPresent()
                    ? " (named by " + SurgeConfig.ENV + ")"
                    : " (or into the file " + SurgeConfig.ENV + " names)"));
      }
    }
    try {
      URI uri = new URI(value.get().strip());
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw usage(source + ": expected an http:// or https:// URL, got '" + value.get() + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw usage(source + ": not a URL: '" + value.get() + "' (" + e.getReason() + ")");
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(command.commandLine(), message);
  }
}
