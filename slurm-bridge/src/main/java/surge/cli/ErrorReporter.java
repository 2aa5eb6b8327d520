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
    int code;
    String message;
    if (ex instanceof CommandFailure failure) {
      code = failure.exitCode();
      message = ex.getMessage();
    } else if (ex instanceof SurgeUnreachableException) {
      code = ExitCodes.UNREACHABLE;
      message = ex.getMessage();
    } else if (ex instanceof SurgeApiException api) {
      code = api.isRefusal() ? ExitCodes.USAGE : ExitCodes.ERROR;
      message =
          (api.isRefusal() ? "the server refused the request: " : "the server failed: ")
              + api.describe();
    } else if (ex instanceof InterruptedException) {
      code = ExitCodes.INTERRUPTED;
      message = "interrupted";
    } else if (ex instanceof IOException) {
      code = ExitCodes.ERROR;
      message = ex.toString();
    } else {
      // A bug in surge: the stack trace is what a report needs.
      ex.printStackTrace(err);
      code = ExitCodes.ERROR;
      message = "internal error: " + ex;
    }
    err.println("surge: " + message);
    err.flush();
    return code;
  }
}
