package surge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import surge.client.JobStatus;

/**
 * Rescue and hand-back on the real local Slurm cluster with the real server and two headless
 * volunteers: the batch partition is filled by a blocker job, and the server watches it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RescueIT {
  static final int MAX_TASKS = 64;
  @TempDir static Path dir;
  static SlurmCluster slurm;
  static Cluster surge;
  static Map<String, String> jobEnv;
  static String blocker;

  @BeforeAll
  static void start() throws Exception {
    slurm = SlurmCluster.shared();
    surge =
        new Cluster(
            dir.resolve("surge"),
            Map.of(
                "SURGE_RESCUE_PARTITIONS",
                "batch",
                "SURGE_RESCUE_POLL",
                "1s",
                "SURGE_RESCUE_MAX_TASKS",
                "" + MAX_TASKS,
                "SURGE_SLURM_CONF",
                slurm.env().get("SLURM_CONF"),
                "SURGE_MUNGE_SOCKET",
                slurm.mungeSocket().toString()));
    surge.startServer();
    surge.startVolunteers(2);
    surge.awaitVolunteers(2);
    jobEnv =
        Map.of(
            "PATH",
            Cluster.REPO.resolve("bin") + ":" + System.getenv("PATH"),
            "SURGE_SERVER",
            surge.url(),
            "SURGE_MUNGE_SOCKET",
            slurm.mungeSocket().toString());
    String cpus = slurm.run("sinfo", "-h", "-p", "batch", "-o", "%c").output().strip();
    blocker =
        slurm.sbatch(
            jobEnv, dir, "-p", "batch", "-c", cpus, "-J", "blocker", "--wrap", "sleep 900");
    slurm.awaitState(blocker, Duration.ofSeconds(60), "RUNNING");
  }

  @AfterAll
  static void stop() throws Exception {
    if (blocker != null) {
      slurm.run("scancel", blocker);
    }
    if (surge != null) {
      surge.close();
    }
  }

  static Path script(String name, String... lines) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/bash\n" + String.join("\n", lines) + "\n");
    return p;
  }

  static String kernel(String name) {
    return Cluster.kernel(name).toString();
  }

  static String nativeProgram(String name) {
    return Cluster.REPO.resolve("examples/kernels/build/native/" + name).toString();
  }

  @Test
  @Order(1)
  void aJobPendingOnAFullBatchPartitionIsRescuedKeepingItsJobIdAndItsOutputFile() throws Exception {
    Path job =
        script(
            "mc.sh",
            "#SBATCH -J rescue-mc -o " + dir + "/mc-%j.out -e " + dir + "/mc-%j.err",
            "#OFFLOAD --kernel=" + kernel("montecarlo") + " --tasks=8 --arg=100000 --merge=sum",
            "#OFFLOAD --rescue-after=2s",
            "[ \"$SLURM_JOB_PARTITION\" = volunteer ] && exec surge offload \"$0\"",
            nativeProgram("montecarlo-whole") + " 8 100000");
    String id = slurm.sbatch(jobEnv, dir, "-p", "batch", job.toString());
    assertThat(slurm.show(id)).containsEntry("Partition", "batch");

    var done = slurm.awaitState(id, Duration.ofSeconds(90), "COMPLETED", "FAILED");
    assertThat(done)
        .as("%s\nstderr: %s", done, read(dir.resolve("mc-" + id + ".err")))
        .containsEntry("JobId", id)
        .containsEntry("JobState", "COMPLETED")
        .containsEntry("Partition", "volunteer")
        .containsEntry("ExitCode", "0:0");
    byte[] expected = Cluster.nativeRun(Map.of(), new byte[0], "montecarlo-whole", "8", "100000");
    assertThat(Files.readAllBytes(dir.resolve("mc-" + id + ".out"))).isEqualTo(expected);
    assertThat(surge.logTail(400))
        .containsPattern("rescue: moved job " + id + " of \\S+ from batch to volunteer");

    // Eligible for rescue (EligibleTime + rescue-after) to the first task on a volunteer.
    Instant due = slurmTime(done.get("EligibleTime")).plusSeconds(2);
    Instant firstTask = surgeJobOf(id).startedAt();
    Duration latency = Duration.between(due, firstTask);
    System.out.println("rescue latency (eligible + rescue-after to first task): " + latency);
    assertThat(latency).isPositive().isLessThan(Duration.ofSeconds(15));
  }

  @Test
  @Order(2)
  void aJobThatDidNotOptInAndOneThePolicyRefusesStayPendingAndTheLogSaysWhy() throws Exception {
    Path plain =
        script(
            "plain.sh",
            "#SBATCH -J plain -o " + dir + "/plain-%j.out",
            "#OFFLOAD --kernel=" + kernel("montecarlo") + " --tasks=4 --arg=1000 --merge=sum",
            "[ \"$SLURM_JOB_PARTITION\" = volunteer ] && exec surge offload \"$0\"",
            "echo native");
    Path big =
        script(
            "big.sh",
            "#SBATCH -J big -o " + dir + "/big-%j.out",
            "#OFFLOAD --kernel="
                + kernel("montecarlo")
                + " --tasks="
                + (MAX_TASKS + 1)
                + " --arg=1000 --merge=sum --rescue-after=1s",
            "[ \"$SLURM_JOB_PARTITION\" = volunteer ] && exec surge offload \"$0\"",
            "echo native");
    String plainId = slurm.sbatch(jobEnv, dir, "-p", "batch", plain.toString());
    String bigId = slurm.sbatch(jobEnv, dir, "-p", "batch", big.toString());

    awaitLog("rescue: job " + bigId + " stays in batch: refuse (TOO_MANY_TASKS)");
    awaitLog("rescue: job " + plainId + " of ");
    Thread.sleep(3_000); // past rescue-after and a few polls
    for (String id : new String[] {plainId, bigId}) {
      assertThat(slurm.show(id))
          .containsEntry("JobState", "PENDING")
          .containsEntry("Partition", "batch");
    }
    assertThat(surge.logTail(400))
        .contains(
            "rescue: job "
                + plainId
                + " of root stays in batch: it did not opt in (no #OFFLOAD --rescue-after line)")
        .contains("has " + (MAX_TASKS + 1) + " tasks, more than the limit of " + MAX_TASKS);
    slurm.run("scancel", plainId, bigId);
  }

  @Test
  @Order(3)
  void aRescuedJobThatMissesItsDeadlineIsHandedBackAndThenRunsNatively() throws Exception {
    Path job =
        script(
            "slow.sh",
            // --no-requeue: the rescuer's move makes it requeueable for the hand-back.
            "#SBATCH -J slow -o " + dir + "/slow-%j.out --open-mode=append --no-requeue",
            "#OFFLOAD --kernel=" + kernel("spin") + " --tasks=2 --arg=120000",
            "#OFFLOAD --rescue-after=1s --deadline=6s",
            "[ \"$SLURM_JOB_PARTITION\" = volunteer ] && exec surge offload \"$0\"",
            "echo \"native run $SLURM_RESTART_COUNT on $SLURM_JOB_PARTITION\"");
    String id = slurm.sbatch(jobEnv, dir, "-p", "batch", job.toString());
    Path out = dir.resolve("slow-" + id + ".out");

    Map<String, String> back = Map.of();
    long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < until) {
      back = slurm.show(id);
      if ("1".equals(back.get("Restarts")) && "batch".equals(back.get("Partition"))) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(back)
        .as("handed back: %s\noutput: %s\nlog: %s", back, read(out), surge.logTail(40))
        .containsEntry("Restarts", "1")
        .containsEntry("Partition", "batch")
        .containsEntry("JobState", "PENDING");
    assertThat(back.get("Comment")).contains("handed back to batch");
    assertThat(read(out))
        .contains("deadline passed")
        .contains("Slurm job " + id + " came to volunteer by rescue")
        .contains("hands it back to partition batch");
    assertThat(surge.logTail(400)).contains("rescue: handed job " + id + " back to batch");

    // Once the batch partition has room, the requeued job runs there natively.
    slurm.run("scancel", blocker);
    blocker = null;
    var done = slurm.awaitState(id, Duration.ofSeconds(60), "COMPLETED", "FAILED");
    assertThat(done).containsEntry("JobState", "COMPLETED").containsEntry("Partition", "batch");
    assertThat(read(out)).endsWith("native run 1 on batch\n");
    Thread.sleep(2_500); // a few polls: the requeued job is never rescued again
    assertThat(surge.logTail(1000).split("rescue: moved job " + id + " ", -1))
        .as("moved once")
        .hasSize(2);
  }

  // ---- helpers ----

  static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "(no " + p + ")";
    } catch (Exception e) {
      return "(" + e + ")";
    }
  }

  static Instant slurmTime(String text) {
    return LocalDateTime.parse(text).atZone(ZoneId.systemDefault()).toInstant();
  }

  /** The Surge job the launcher submitted for Slurm job {@code id}, read by surge-client. */
  static JobStatus surgeJobOf(String id) throws Exception {
    var jobs = surge.client().jobs(Optional.empty(), OptionalInt.of(50));
    return jobs.stream()
        .filter(j -> id.equals(j.slurmJobId()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Surge job for Slurm job " + id + " in " + jobs));
  }

  static void awaitLog(String text) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      if (surge.logTail(1000).contains(text)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the server log lacks '" + text + "':\n" + surge.logTail(40));
  }
}
