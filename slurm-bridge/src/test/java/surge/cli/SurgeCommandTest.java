package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SurgeCommandTest {
  @Test
  void helpListsEveryCommandAndTheExitCodes() {
    CliRun run = CliRun.run("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout())
        .contains("submit", "status", "result", "cancel", "jobs", "offload")
        .contains("Exit codes:")
        .contains("4     the server could not be reached")
        .contains("143   terminated by SIGTERM");
  }

  @Test
  void versionIsTheBuildsVersion() {
    CliRun run = CliRun.run("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout()).startsWith("surge 0.").doesNotContain("unknown", "${");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command :
        new String[] {"submit", "status", "result", "cancel", "jobs", "offload"}) {
      CliRun run = CliRun.run(command, "--help");

      assertThat(run.exitCode()).as(command).isZero();
      assertThat(run.stdout()).as(command).contains("Usage: surge " + command, "--server=URL");
    }
  }

  @Test
  void noCommandIsAUsageError() {
    CliRun run = CliRun.run();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("surge: missing a command");
  }

  @Test
  void anUnknownCommandIsAUsageErrorWithASuggestion() {
    CliRun run = CliRun.run("sumbit");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("sumbit").contains("submit");
  }
}
