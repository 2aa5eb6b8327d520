package surge.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import surge.client.AdminApi.Fields;
import surge.client.ControlCharacters;
import surge.client.Sha256;

/**
 * {@code surge admin kernel approve | list | revoke}: which kernels may run on the public's
 * machines, under the server's {@code approved} kernel policy.
 */
@Command(
    name = "kernel",
    description = "Kernel approvals: only approved kernels run on volunteers (policy 'approved').",
    subcommands = {
      AdminKernelCommand.Approve.class,
      AdminKernelCommand.ListApprovals.class,
      AdminKernelCommand.Revoke.class
    })
final class AdminKernelCommand extends AdminCommand.Group {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** A sha256 as given, or the sha256 of the file named. */
  static String sha256Of(picocli.CommandLine commandLine, String kernel) {
    String lower = kernel.strip().toLowerCase(java.util.Locale.ROOT);
    if (SHA256.matcher(lower).matches()) {
      return lower;
    }
    Path file = Path.of(kernel);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ParameterException(
          commandLine,
          "KERNEL: neither a sha256 (64 hex digits) nor a readable file: '"
              + ControlCharacters.escape(kernel)
              + "'");
    }
    try {
      return Sha256.of(file);
    } catch (java.io.IOException e) {
      throw new ParameterException(commandLine, "KERNEL: cannot read " + file + ": " + e);
    }
  }

  @Command(
      name = "approve",
      description = {
        "Approves a kernel by its sha256, or by the .wasm file (hashed here), with a note that",
        "says why; jobs with it may then run on volunteers."
      })
  static final class Approve extends AdminCall {
    @Parameters(paramLabel = "SHA256|FILE", description = "The kernel's sha256 or its file.")
    String kernel;

    @Option(
        names = "--note",
        required = true,
        paramLabel = "TEXT",
        description = "Why it may run, e.g. who reviewed which source.")
    String note;

    @Override
    public Integer call() throws Exception {
      if (note.isBlank() || ControlCharacters.firstUnsafe(note).isPresent()) {
        throw new ParameterException(
            spec.commandLine(), "--note: one line of text without control characters");
      }
      String sha256 = sha256Of(spec.commandLine(), kernel);
      Fields approval = api().approveKernel(sha256, note);
      shell()
          .out()
          .println(
              ControlCharacters.escape(
                  "approved kernel " + sha256 + ": " + approval.get("note").orElse(note)));
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "Lists the approved kernels with their notes.")
  static final class ListApprovals extends AdminCall {
    @Override
    public Integer call() throws Exception {
      Table table = new Table("SHA256", "STATE", "APPROVED BY", "APPROVED AT", "NOTE");
      for (Fields a : api().approvals()) {
        table.row(
            a.get("sha256").orElse(null),
            a.get("inForce").map(f -> f.equals("false") ? "revoked" : "approved").orElse(null),
            a.get("approvedBy").orElse(null),
            a.get("approvedAt").orElse(null),
            a.get("note").orElse(null));
      }
      table.print(shell().out());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "revoke",
      description = "Revokes a kernel's approval: new jobs with it are refused.")
  static final class Revoke extends AdminCall {
    @Parameters(paramLabel = "SHA256|FILE", description = "The kernel's sha256 or its file.")
    String kernel;

    @Override
    public Integer call() throws Exception {
      String sha256 = sha256Of(spec.commandLine(), kernel);
      api().revokeApproval(sha256);
      shell().out().println("revoked the approval of kernel " + sha256);
      return ExitCodes.OK;
    }
  }
}
