package surge.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} for the commands; the version belongs to {@code surge} alone. */
final class HelpOption {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;
}
