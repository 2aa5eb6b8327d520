package surge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The light waiter on the real local Slurm cluster and a real server: while a volunteer job waits
 * (no volunteers, so it stays queued), the Slurm job's processes are surge-wait and no JVM, with a
 * private resident memory of a few MB; scancel still cancels the job on the server, with MUNGE as
 * the credential.
 */
class LightWaiterIT {
  @TempDir static Path dir;
  static SlurmCluster slurm;
  static Cluster surge;

  @BeforeAll
  static void start() throws Exception {
    slurm = SlurmCluster.shared();
    surge =
        new Cluster(
            dir.resolve("surge"), Map.of("SURGE_MUNGE_SOCKET", slurm.mungeSocket().toString()));
    surge.startServer();
  }

  @AfterAll
  static void stop() throws Exception {
    if (surge != null) {
      surge.close();
    }
  }

  @Test
  void aWaitingJobIsSurgeWaitOfAFewMegabytesAndScancelCancelsIt() throws Exception {
    Path jobs = Files.createDirectories(dir.resolve("jobs"));
    Files.copy(Cluster.kernel("noop"), jobs.resolve("noop.wasm"));
    Files.writeString(
        jobs.resolve("wait.sh"),
        """
        #!/bin/bash
        #SBATCH --output=wait-%j.out
        #OFFLOAD --kernel=noop.wasm --tasks=10 --verify=none
        exec surge offload "$0"
        """);
    Map<String, String> env =
        Map.of(
            "PATH", Cluster.REPO.resolve("bin") + ":" + System.getenv("PATH"),
            "SURGE_SERVER", surge.url(),
            "SURGE_MUNGE_SOCKET", slurm.mungeSocket().toString());
    String id = slurm.sbatch(env, jobs, "-p", "volunteer", "wait.sh");
    slurm.awaitState(id, Duration.ofSeconds(30), "RUNNING");
    Path out = jobs.resolve("wait-" + id + ".out");
    String serverJob = awaitSubmitted(out);

    // The submitting JVM exits at once after the hand-over; give it a moment on a busy machine.
    List<String[]> procs = List.of();
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      procs = processesOfJob(id);
      if (procs.stream().noneMatch(LightWaiterIT::isJvm)
          && procs.stream().anyMatch(p -> p[1].contains("surge-wait"))) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(procs.stream().map(p -> p[1]))
        .as("processes of job %s while it waits", id)
        .anyMatch(c -> c.startsWith(Cluster.REPO.resolve("slurm-bridge/target/surge-wait") + " "));
    assertThat(procs.stream().filter(LightWaiterIT::isJvm).map(p -> p[1])).isEmpty();
    // What the job adds to the node: its private memory. Shared library pages (libcurl, OpenSSL,
    // libc: most of VmRSS) are mapped once for all the node's waiters.
    long privateKb = procs.stream().mapToLong(p -> Long.parseLong(p[2])).sum();
    assertThat(privateKb)
        .as("private resident kB of the waiting job's processes")
        .isLessThan(4 * 1024);

    assertThat(slurm.run("scancel", id).exitCode()).isZero();
    var done = slurm.awaitState(id, Duration.ofSeconds(20), "CANCELLED", "COMPLETED", "FAILED");
    assertThat(done.get("JobState")).isEqualTo("CANCELLED");
    String status = surge.getJson("/api/jobs/" + serverJob);
    assertThat(status).contains("\"state\":\"CANCELLED\"");
    assertThat(Files.readString(out))
        .contains("surge: interrupted; cancelled job " + serverJob + " (now CANCELLED)");
  }

  /** A process whose program (not an argument) is java. */
  private static boolean isJvm(String[] process) {
    return process[1].split(" ", 2)[0].endsWith("java");
  }

  private static String awaitSubmitted(Path out) throws Exception {
    Pattern submitted = Pattern.compile("surge: job (j-\\S+) submitted to ");
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < until) {
      if (Files.exists(out)) {
        Matcher m = submitted.matcher(Files.readString(out));
        if (m.find()) {
          return m.group(1);
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "never submitted: " + (Files.exists(out) ? Files.readString(out) : "(no output)"));
  }

  /**
   * {pid, command line, RssAnon kB (private resident)} of every process with the job's
   * SLURM_JOB_ID.
   */
  private static List<String[]> processesOfJob(String id) throws Exception {
    String needle = "SLURM_JOB_ID=" + id + "\0";
    List<String[]> found = new ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        if (!p.getFileName().toString().matches("\\d+")) {
          continue;
        }
        try {
          String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
          if (!env.contains(needle) && !env.startsWith(needle)) {
            continue;
          }
          String rss =
              Files.readAllLines(p.resolve("status")).stream()
                  .filter(l -> l.startsWith("RssAnon:"))
                  .map(l -> l.replaceAll("\\D", ""))
                  .findFirst()
                  .orElse("0");
          found.add(
              new String[] {
                p.getFileName().toString(),
                Files.readString(p.resolve("cmdline")).replace('\0', ' '),
                rss
              });
        } catch (java.io.IOException gone) {
          // the process ended while we looked
        }
      }
    }
    return found;
  }
}
