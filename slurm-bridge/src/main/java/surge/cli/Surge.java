package surge.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code surge}: the command-line client of a Surge server. */
@Command(
    name = "surge",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Runs urgent jobs as WASI WebAssembly tasks on a Surge server's browser volunteers.",
      "Every command takes --server URL, or reads the URL from $SURGE_SERVER or the",
      "configuration file (/etc/surge/surge.conf, or the file $SURGE_CONFIG names).",
      "Requests carry a credential: $SURGE_TOKEN, else ~/.config/surge/token (mode 600),",
      "else $SLURM_JWT, else MUNGE (munge -n; socket $SURGE_MUNGE_SOCKET when set).",
      "In a Slurm job script, surge offload runs the job its #OFFLOAD lines describe."
    },
    subcommands = {
      SubmitCommand.class,
      StatusCommand.class,
      ResultCommand.class,
      CancelCommand.class,
      JobsCommand.class,
      OffloadCommand.class,
      WhoamiCommand.class,
      AdminCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:the job failed",
      "2:usage error, or the server refused the request (also: no valid credential)",
      "3:the job was cancelled",
      "4:the server could not be reached",
      "5:the server failed or answered unreadably; local I/O error",
      "130:interrupted by Ctrl-C (submit --wait and offload cancel the job first)",
      "143:terminated by SIGTERM, e.g. scancel (submit --wait and offload cancel the job first)"
    })
public final class Surge implements Callable<Integer> {
  private final Shell shell;

  @Spec private CommandSpec spec;

  public Surge(Shell shell) {
    this.shell = shell;
  }

  public static void main(String[] args) {
    System.exit(commandLine(Shell.system()).execute(args));
  }

  /** The configured command line; tests run it with their own {@link Shell}. */
  public static CommandLine commandLine(Shell shell) {
    CommandLine cmd = new CommandLine(new Surge(shell));
    cmd.setOut(new PrintWriter(new OutputStreamWriter(shell.out(), StandardCharsets.UTF_8), true));
    cmd.setErr(new PrintWriter(new OutputStreamWriter(shell.err(), StandardCharsets.UTF_8), true));
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    ErrorReporter reporter = new ErrorReporter(shell.err());
    cmd.setParameterExceptionHandler(reporter);
    cmd.setExecutionExceptionHandler(reporter);
    return cmd;
  }

  Shell shell() {
    return shell;
  }

  /** The shell of the command line that {@code command} belongs to, however deep it sits. */
  static Shell shell(CommandSpec command) {
    return ((Surge) command.root().userObject()).shell;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing a command");
  }
}
