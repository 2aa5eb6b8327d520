package surge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.client.Json;
import surge.testing.FreePort;

/**
 * {@code sbatch -p volunteer} as a user runs it: the shipped job scripts of {@code examples/jobs}
 * on the real local Slurm cluster, offloaded by {@code surge offload} to the real server and two
 * Node volunteers, each result compared with the native build's bytes; a failing kernel, a bad
 * {@code #OFFLOAD} line, {@code scancel} and a job array.
 */
class SlurmOffloadIT {
  @TempDir static Path dir;
  static SlurmCluster slurm;
  static Cluster surge;
  static Path jobs;
  static Map<String, String> jobEnv;

  @BeforeAll
  static void start() throws Exception {
    slurm = SlurmCluster.shared();
    // The server decodes the jobs' MUNGE credentials with the cluster's munged.
    surge =
        new Cluster(
            dir.resolve("surge"), Map.of("SURGE_MUNGE_SOCKET", slurm.mungeSocket().toString()));
    surge.startServer();
    surge.startVolunteers(2);
    surge.awaitVolunteers(2);
    jobs = SampleJobs.copyInto(dir, "pi.sh", "mandelbrot.sh", "array.sh");
    jobEnv = new HashMap<>();
    jobEnv.put("PATH", Cluster.REPO.resolve("bin") + ":" + System.getenv("PATH"));
    jobEnv.put("SURGE_SERVER", surge.url());
    jobEnv.put("SURGE_MUNGE_SOCKET", slurm.mungeSocket().toString());
  }

  @AfterAll
  static void stop() throws Exception {
    if (surge != null) {
      surge.close();
    }
  }

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>(jobEnv);
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static String read(String file) throws Exception {
    Path p = jobs.resolve(file);
    return Files.exists(p) ? Files.readString(p) : "(no " + file + ")";
  }

  @Test
  void piOnTheVolunteerPartitionPrintsTheNativeResultIntoItsOutputFile() throws Exception {
    String id =
        slurm.sbatch(
            env("PI_TASKS", "24", "PI_SAMPLES", "300000"),
            jobs,
            "-p",
            "volunteer",
            "--error=pi-%j.err",
            "pi.sh");
    var done = slurm.awaitState(id, Duration.ofSeconds(120), "COMPLETED", "FAILED", "CANCELLED");
    assertThat(done.get("JobState")).as(read("pi-" + id + ".err")).isEqualTo("COMPLETED");
    assertThat(done.get("ExitCode")).isEqualTo("0:0");
    assertThat(done.get("Partition")).isEqualTo("volunteer");
    // The server's verification summary may follow: "surge done 24/24; verified: ...".
    assertThat(done.get("Comment")).startsWith("surge done 24/24");
    byte[] expected = Cluster.nativeRun(Map.of(), new byte[0], "montecarlo-whole", "24", "300000");
    assertThat(read("pi-" + id + ".out")).isEqualTo(new String(expected, StandardCharsets.UTF_8));
    // Progress lines go to the job's stderr, and the server job names its Slurm job.
    assertThat(read("pi-" + id + ".err")).contains("24/24");
    assertThat(serverJobOf(id))
        .hasValueSatisfying(j -> assertThat(j.get("name").asText()).isEqualTo("pi"));
  }

  @Test
  void aVerifiedJobSaysHowInItsCommentOutputAndStatus() throws Exception {
    // pi.sh with one more line: the job asks for adaptive verification itself.
    String pi = Files.readString(jobs.resolve("pi.sh"));
    Files.writeString(
        jobs.resolve("pi-verified.sh"),
        pi.replace(
            "#OFFLOAD --deadline=25m\n", "#OFFLOAD --deadline=25m\n#OFFLOAD --verify=adaptive\n"));
    String id =
        slurm.sbatch(
            env("PI_TASKS", "12", "PI_SAMPLES", "100000"),
            jobs,
            "-p",
            "volunteer",
            "--error=pi-%j.err",
            "pi-verified.sh");
    var done = slurm.awaitState(id, Duration.ofSeconds(180), "COMPLETED", "FAILED", "CANCELLED");
    String err = read("pi-" + id + ".err");
    assertThat(done.get("JobState")).as(err).isEqualTo("COMPLETED");
    byte[] expected = Cluster.nativeRun(Map.of(), new byte[0], "montecarlo-whole", "12", "100000");
    assertThat(read("pi-" + id + ".out")).isEqualTo(new String(expected, StandardCharsets.UTF_8));
    String serverId = serverJobOf(id).orElseThrow().get("id").asText();
    JsonNode job = Json.mapper().readTree(surge.getJson("/api/jobs/" + serverId));
    assertThat(job.path("verification").path("mode").asText()).isEqualTo("adaptive");
    String summary = job.path("verification").path("summary").asText();
    assertThat(summary).startsWith("verified (adaptive): 12 tasks");
    // The summary as the server wrote it, in squeue's Comment and at the end of the job's log.
    assertThat(done.get("Comment")).isEqualTo("surge done 12/12; " + summary);
    assertThat(err).contains("surge: verification: " + summary + "\n");
  }

  @Test
  void relativePathsFollowTheJobsWorkingDirectoryNotTheSubmitDirectory() throws Exception {
    // Submitted from two levels up with --chdir: the kernel path ../kernels/... holds from the
    // working directory only, as #SBATCH --output=pi-%j.out does.
    String id =
        slurm.sbatch(
            env("PI_TASKS", "4", "PI_SAMPLES", "100000"),
            dir,
            "-p",
            "volunteer",
            "--chdir=" + jobs,
            jobs.resolve("pi.sh").toString());
    var done = slurm.awaitState(id, Duration.ofSeconds(120), "COMPLETED", "FAILED", "CANCELLED");
    assertThat(done.get("JobState")).as(read("pi-" + id + ".out")).isEqualTo("COMPLETED");
    byte[] expected = Cluster.nativeRun(Map.of(), new byte[0], "montecarlo-whole", "4", "100000");
    assertThat(read("pi-" + id + ".out")).endsWith(new String(expected, StandardCharsets.UTF_8));
  }

  @Test
  void theSameScriptOnTheBatchPartitionRunsNativelyWithTheSameBytes() throws Exception {
    String id =
        slurm.sbatch(env("PI_TASKS", "8", "PI_SAMPLES", "200000"), jobs, "-p", "batch", "pi.sh");
    var done = slurm.awaitState(id, Duration.ofSeconds(60), "COMPLETED", "FAILED", "CANCELLED");
    assertThat(done.get("JobState")).as(read("pi-" + id + ".out")).isEqualTo("COMPLETED");
    byte[] expected = Cluster.nativeRun(Map.of(), new byte[0], "montecarlo-whole", "8", "200000");
    assertThat(read("pi-" + id + ".out")).isEqualTo(new String(expected, StandardCharsets.UTF_8));
    assertThat(serverJobOf(id)).as("a native run never reaches the server").isEmpty();
  }

  @Test
  void mandelbrotWritesTheNativeImageByteForByteIntoItsOutputFile() throws Exception {
    var small = env("MANDEL_TASKS", "15", "MANDEL_WIDTH", "400", "MANDEL_HEIGHT", "300");
    String id = slurm.sbatch(small, jobs, "-p", "volunteer", "mandelbrot.sh");
    var done = slurm.awaitState(id, Duration.ofSeconds(120), "COMPLETED", "FAILED", "CANCELLED");
    assertThat(done.get("JobState")).as(read("mandelbrot-" + id + ".out")).isEqualTo("COMPLETED");
    byte[] expected =
        Cluster.nativeRun(Map.of(), new byte[0], "mandelbrot-whole", "15", "400", "300");
    byte[] got = Files.readAllBytes(jobs.resolve("mandelbrot-" + id + ".pgm"));
    assertThat(got).startsWith("P5\n400 300\n255\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(got).isEqualTo(expected);
  }

  @Test
  void aFailingTaskFailsTheSlurmJobWithItsStderrInTheOutput() throws Exception {
    Files.writeString(
        jobs.resolve("fails.sh"),
        """
        #!/bin/bash
        #SBATCH --output=fails-%j.out
        #OFFLOAD --kernel=../kernels/build/wasm/fail.wasm --tasks=4 --merge=concat
        #OFFLOAD --arg=7 --arg="bad input row" --env=FAIL_INDEX=2
        exec surge offload "$0"
        """);
    String id = slurm.sbatch(jobEnv, jobs, "-p", "volunteer", "fails.sh");
    var done = slurm.awaitState(id, Duration.ofSeconds(60), "COMPLETED", "FAILED", "CANCELLED");
    String out = read("fails-" + id + ".out");
    assertThat(done.get("JobState")).as(out).isEqualTo("FAILED");
    assertThat(done.get("ExitCode")).isEqualTo("1:0");
    assertThat(out).contains("task 2").contains("fail: bad input row (task 2 of 4)");
  }

  @Test
  void aBadOffloadLineFailsTheJobWithinSecondsNamingTheLine() throws Exception {
    Files.writeString(
        jobs.resolve("typo.sh"),
        """
        #!/bin/bash
        #SBATCH --output=typo-%j.out
        #OFFLOAD --kernel=../kernels/build/wasm/montecarlo.wasm --merge=sum
        #OFFLOAD --taks=4 --arg=1000
        exec surge offload "$0"
        """);
    long t0 = System.nanoTime();
    String id = slurm.sbatch(jobEnv, jobs, "-p", "volunteer", "typo.sh");
    var done = slurm.awaitState(id, Duration.ofSeconds(30), "COMPLETED", "FAILED", "CANCELLED");
    double seconds = (System.nanoTime() - t0) / 1e9;
    String out = read("typo-" + id + ".out");
    assertThat(done.get("JobState")).as(out).isEqualTo("FAILED");
    assertThat(done.get("ExitCode")).isEqualTo("2:0");
    assertThat(out).contains(":4: unknown option --taks").contains("--tasks");
    assertThat(seconds).as("sbatch to FAILED, s").isLessThan(20);
    assertThat(serverJobOf(id)).as("nothing reached the server").isEmpty();
  }

  @Test
  void anUnreachableServerIsRetriedForTheConnectTimeoutThenFailsTheJob() throws Exception {
    Files.writeString(
        jobs.resolve("nowhere.sh"),
        """
        #!/bin/bash
        #SBATCH --output=nowhere-%j.out
        #OFFLOAD --kernel=../kernels/build/wasm/montecarlo.wasm --tasks=2 --arg=1000 --merge=sum
        exec surge offload --connect-timeout=4s "$0"
        """);
    String closed = "http://127.0.0.1:" + FreePort.pick();
    long t0 = System.nanoTime();
    String id = slurm.sbatch(env("SURGE_SERVER", closed), jobs, "-p", "volunteer", "nowhere.sh");
    var done = slurm.awaitState(id, Duration.ofSeconds(40), "COMPLETED", "FAILED", "CANCELLED");
    double seconds = (System.nanoTime() - t0) / 1e9;
    String out = read("nowhere-" + id + ".out");
    assertThat(done.get("JobState")).as(out).isEqualTo("FAILED");
    assertThat(done.get("ExitCode")).isEqualTo("4:0");
    assertThat(out).contains(closed).contains("retrying for up to 4");
    // Pauses double from 0.2 s; it gives up before a pause that would pass the 4 s, at about 3 s.
    assertThat(seconds).as("sbatch to FAILED, s: retried, then gave up").isBetween(2.5, 30.0);
  }

  @Test
  void scancelCancelsTheServerJobAndLeavesNothingRunning() throws Exception {
    Files.writeString(
        jobs.resolve("long.sh"),
        """
        #!/bin/bash
        #SBATCH --output=long-%j.out
        #OFFLOAD --kernel=../kernels/build/wasm/spin.wasm --tasks=50 --arg=60000 --merge=concat
        exec surge offload "$0"
        """);
    String id = slurm.sbatch(jobEnv, jobs, "-p", "volunteer", "long.sh");
    slurm.awaitState(id, Duration.ofSeconds(30), "RUNNING");
    JsonNode job = awaitServerJob(id, j -> j.path("tasks").path("leased").asInt() > 0);
    String serverId = job.get("id").asText();

    long t0 = System.nanoTime();
    assertThat(slurm.run("scancel", id).exitCode()).isZero();
    var done = slurm.awaitState(id, Duration.ofSeconds(20), "CANCELLED", "COMPLETED", "FAILED");
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertThat(done.get("JobState")).isEqualTo("CANCELLED");
    assertThat(seconds).as("scancel to CANCELLED, s (KillWait is 5 s)").isLessThan(10);

    JsonNode after =
        awaitServerJob(
            id,
            j ->
                "CANCELLED".equals(j.get("state").asText())
                    && j.path("tasks").path("leased").asInt() == 0);
    assertThat(after.get("id").asText()).isEqualTo(serverId);
    assertThat(processesOfJob(id)).as("processes of job " + id + " after scancel").isEmpty();
    // The volunteers are free again: a new job runs at once.
    var quick =
        surge.surge(
            "submit",
            "--kernel",
            Cluster.kernel("montecarlo").toString(),
            "--tasks",
            "4",
            "--arg",
            "1000",
            "--merge",
            "sum",
            "--wait",
            "--deadline",
            "30s");
    assertThat(quick.exitCode()).as(quick.stderr()).isZero();
  }

  @Test
  void anArrayOffloadsEachElementIntoItsOwnOutputFile() throws Exception {
    String id =
        slurm.sbatch(env("ARRAY_TASKS", "4"), jobs, "-p", "volunteer", "--array=0-5%3", "array.sh");
    List<String> failures = new ArrayList<>();
    long until = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    for (int i = 0; i <= 5; i++) {
      String element = id + "_" + i;
      Path out = jobs.resolve("array-" + id + "_" + i + ".out");
      byte[] expected =
          Cluster.nativeRun(Map.of(), new byte[0], "montecarlo-whole", "4", "1" + i + "000");
      while (System.nanoTime() < until) {
        var fields = slurm.show(element);
        String state = fields.getOrDefault("JobState", "");
        if (List.of("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT").contains(state)) {
          if (!state.equals("COMPLETED")) {
            failures.add(element + " " + state + ": " + Files.readString(out));
          }
          break;
        }
        Thread.sleep(200);
      }
      String got = Files.exists(out) ? Files.readString(out) : "";
      String want = new String(expected, StandardCharsets.UTF_8);
      assertThat(got).as("output of " + element).endsWith(want);
    }
    assertThat(failures).isEmpty();
  }

  /** PIDs whose environment holds SLURM_JOB_ID=id (what Slurm started for the job). */
  private static List<String> processesOfJob(String id) throws Exception {
    String needle = "SLURM_JOB_ID=" + id + "\0";
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> found = new ArrayList<>();
    do {
      found.clear();
      try (var procs = Files.list(Path.of("/proc"))) {
        for (Path p : (Iterable<Path>) procs::iterator) {
          if (!p.getFileName().toString().matches("\\d+")) {
            continue;
          }
          try {
            String env =
                new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
            if (env.contains(needle) || env.startsWith(needle)) {
              found.add(
                  p.getFileName()
                      + " "
                      + Files.readString(p.resolve("cmdline")).replace('\0', ' '));
            }
          } catch (java.io.IOException gone) {
            // the process ended while we looked
          }
        }
      }
      if (found.isEmpty()) {
        return found;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < until);
    return found;
  }

  /** The server job that records this Slurm JobId, if any. */
  private static Optional<JsonNode> serverJobOf(String slurmJobId) throws Exception {
    JsonNode list = Json.mapper().readTree(surge.getJson("/api/jobs?limit=200"));
    JsonNode jobsNode = list.isArray() ? list : list.path("jobs");
    for (JsonNode j : jobsNode) {
      if (slurmJobId.equals(j.path("slurmJobId").asText())) {
        return Optional.of(j);
      }
    }
    return Optional.empty();
  }

  private static JsonNode awaitServerJob(
      String slurmJobId, java.util.function.Predicate<JsonNode> ok) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Optional<JsonNode> last = Optional.empty();
    while (System.nanoTime() < until) {
      last = serverJobOf(slurmJobId);
      if (last.isPresent() && ok.test(last.get())) {
        return last.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "server job of Slurm job " + slurmJobId + " never matched; last: " + last);
  }
}
