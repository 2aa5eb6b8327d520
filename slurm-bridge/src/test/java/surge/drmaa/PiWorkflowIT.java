package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import surge.e2e.SlurmCluster;

/**
 * The example workflow {@code examples/drmaa/PiWorkflow.java}, run as its documentation says
 * ({@code java -cp slurm-bridge/target/surge.jar examples/drmaa/PiWorkflow.java}) against the real
 * local cluster: this also proves that {@code SessionFactory.getFactory()} finds the binding in the
 * shaded jar.
 */
class PiWorkflowIT {
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();

  @Test
  void theExampleSamplesInABulkJobThenReducesInADependentStep() throws Exception {
    SlurmCluster cluster = SlurmCluster.shared();
    Path dir = Path.of("target/pi-workflow-it").toAbsolutePath();
    Files.createDirectories(dir);
    try (var old = Files.list(dir)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }

    Result run = example(cluster, "--parts", "3", "--samples", "200000", "--dir", dir.toString());

    assertThat(run.exitCode).as(run.output).isZero();
    assertThat(run.output)
        .contains("Slurm 22.", "partition=volunteer", "step 1: 3 samplers of 200000 points each")
        .containsPattern("step 2: \\d+: pi ~= 3\\.1\\d+ from 600000 samples \\(3 tasks\\)")
        .containsPattern(
            "pi ~ 3\\.1\\d+ from \\d+ of 600000 points inside \\(checked here: same\\)");
    assertThat(
            run.output
                .lines()
                .filter(l -> l.matches("  \\d+_[123] exited 0 on vol in \\d+ s: \\d+ 200000")))
        .hasSize(3);
    assertThat(dir.resolve("part-1.txt")).exists();
    assertThat(dir.resolve("part-3.txt")).exists();
    assertThat(Files.readString(dir.resolve("pi.txt"))).startsWith("pi ~= 3.1");
  }

  @Test
  void aFailingStepIsReportedWithExitCodeOne() throws Exception {
    SlurmCluster cluster = SlurmCluster.shared();
    Path dir = Files.createDirectories(Path.of("target/pi-workflow-it-fail").toAbsolutePath());

    // a negative count: the kernel refuses its argument and exits 2 in every element
    Result run = example(cluster, "--parts", "2", "--samples", "-5", "--dir", dir.toString());

    assertThat(run.exitCode).as(run.output).isEqualTo(1);
    assertThat(run.output).contains("exited 2 (see ").contains("step 1 failed");
  }

  record Result(int exitCode, String output) {}

  private static Result example(SlurmCluster cluster, String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                REPO.resolve("slurm-bridge/target/surge.jar").toString(),
                REPO.resolve("examples/drmaa/PiWorkflow.java").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile());
    Map<String, String> env = new HashMap<>(cluster.env());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Path out = Files.createTempFile("pi-workflow", ".out");
    try {
      pb.redirectOutput(out.toFile());
      Process p = pb.start();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("PiWorkflow did not end within 180 s: " + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.delete(out);
    }
  }
}
