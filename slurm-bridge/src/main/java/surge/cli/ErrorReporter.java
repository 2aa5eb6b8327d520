package surge.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import surge.client.ControlCharacters;
import surge.client.CredentialException;
import surge.client.SurgeApiException;
import surge.client.SurgeUnreachableException;

/**
 * The one place where failures become a {@code surge: ...} line on stderr and an exit code from
 * {@link ExitCodes}. Usage errors get a pointer to {@code --help} rather than the whole help.
 */
final class ErrorReporter implements IParameterExceptionHandler, IExecutionExceptionHandler {
  private final PrintStream err;

  ErrorReporter(PrintStream err) {
    this.err = err;
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter out = cmd.getErr();
    String command = cmd.getCommandSpec().qualifiedName();
    out.println(command + ": " + ex.getMessage());
    if (!UnmatchedArgumentException.printSuggestions(ex, out)) {
      out.println("Try '" + command + " --help' for more information.");
    }
    out.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    Report report = report(ex);
    if (report.bug()) {
      // A bug in surge: the stack trace is what a report needs.
      ex.printStackTrace(err);
    }
    err.println("surge: " + report.message());
    err.flush();
    return report.exitCode();
  }

  /**
   * What a failure means for the user.
   *
   * @param message safe to print: control characters from the server or a user escaped
   * @param bug true when the failure is none of the expected kinds
   */
  record Report(int exitCode, String message, boolean bug) {
    Report {
      message = ControlCharacters.escapeKeepingLines(message);
    }
  }

  static Report report(Exception ex) {
    if (ex instanceof CommandFailure failure) {
      return new Report(failure.exitCode(), ex.getMessage(), false);
    } else if (ex instanceof ParameterException) {
      return new Report(ExitCodes.USAGE, ex.getMessage(), false);
    } else if (ex instanceof SurgeUnreachableException) {
      return new Report(ExitCodes.UNREACHABLE, ex.getMessage(), false);
    } else if (ex instanceof CredentialException) {
      return new Report(ExitCodes.USAGE, ex.getMessage(), false);
    } else if (ex instanceof SurgeApiException api && api.isAuthentication()) {
      return new Report(ExitCodes.USAGE, api.describe(), false);
    } else if (ex instanceof SurgeApiException api) {
      return new Report(
          api.isRefusal() ? ExitCodes.USAGE : ExitCodes.ERROR,
          (api.isRefusal() ? "the server refused the request: " : "the server failed: ")
              + api.describe(),
          false);
    } else if (ex instanceof InterruptedException) {
      return new Report(ExitCodes.INTERRUPTED, "interrupted", false);
    } else if (ex instanceof IOException) {
      return new Report(ExitCodes.ERROR, ex.toString(), false);
    }
    return new Report(ExitCodes.ERROR, "internal error: " + ex, true);
  }
}
