package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ggf.drmaa.JobInfo;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.e2e.Cluster;
import surge.e2e.SampleJobs;
import surge.e2e.SlurmCluster;

/**
 * A workflow engine's DRMAA job whose command is an {@code #OFFLOAD} job script: Slurm runs it on
 * the volunteer partition, {@code surge offload} hands its tasks to the real server and two Node
 * volunteers, and the result lands in the template's output file, equal to the native build's. The
 * sbatch behind DRMAA runs from this JVM's directory, not the job's: the script's relative kernel
 * path must follow the template's working directory.
 */
class DrmaaOffloadIT {
  @TempDir static Path dir;
  static Cluster surge;
  static Session session;
  static Path jobs;

  @BeforeAll
  static void start() throws Exception {
    SlurmCluster slurm = SlurmCluster.shared();
    surge =
        new Cluster(
            dir.resolve("surge"), Map.of("SURGE_MUNGE_SOCKET", slurm.mungeSocket().toString()));
    surge.startServer();
    surge.startVolunteers(2);
    surge.awaitVolunteers(2);
    jobs = SampleJobs.copyInto(dir, "pi.sh", "array.sh");
    Map<String, String> env = new HashMap<>(slurm.env());
    env.put("PATH", Cluster.REPO.resolve("bin") + ":" + System.getenv("PATH"));
    env.put("SURGE_SERVER", surge.url());
    // The job runs surge offload as the submitting user, who proves it with MUNGE.
    env.put("SURGE_MUNGE_SOCKET", slurm.mungeSocket().toString());
    session = new SlurmSession(env, Duration.ofSeconds(30), Site.ofThisProcess());
    session.init(null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (session != null) {
      session.exit();
    }
    if (surge != null) {
      surge.close();
    }
  }

  @Test
  void anOffloadScriptAsRemoteCommandLeavesTheNativeResultInTheOutputPath() throws Exception {
    JobTemplate jt = session.createJobTemplate();
    jt.setRemoteCommand(jobs.resolve("pi.sh").toString());
    jt.setWorkingDirectory(jobs.toString());
    jt.setJobEnvironment(Map.of("PI_TASKS", "8", "PI_SAMPLES", "100000"));
    jt.setOutputPath(":" + jobs.resolve("drmaa-pi.out"));
    jt.setErrorPath(":" + jobs.resolve("drmaa-pi.err"));
    String id = session.runJob(jt);
    session.deleteJobTemplate(jt);

    JobInfo info = session.wait(id, 120);

    String err = read("drmaa-pi.err");
    assertThat(info.hasExited()).as(err).isTrue();
    assertThat(info.getExitStatus()).as(err).isZero();
    byte[] expected = Cluster.nativeRun(Map.of(), new byte[0], "montecarlo-whole", "8", "100000");
    assertThat(read("drmaa-pi.out")).isEqualTo(new String(expected, StandardCharsets.UTF_8));
    assertThat(err).contains("8/8");
  }

  @Test
  void aBulkJobOffloadsEachElementWithItsOwnIndex() throws Exception {
    JobTemplate jt = session.createJobTemplate();
    jt.setRemoteCommand(jobs.resolve("array.sh").toString());
    jt.setWorkingDirectory(jobs.toString());
    jt.setJobEnvironment(Map.of("ARRAY_TASKS", "3"));
    jt.setOutputPath(":" + jobs + "/bulk-" + JobTemplate.PARAMETRIC_INDEX + ".out");
    jt.setJoinFiles(true);
    List<?> ids = session.runBulkJobs(jt, 1, 3, 1);
    session.deleteJobTemplate(jt);

    session.synchronize(List.of(Session.JOB_IDS_SESSION_ALL), 180, false);
    for (Object id : ids) {
      JobInfo info = session.wait(id.toString(), Session.TIMEOUT_NO_WAIT);
      assertThat(info.hasExited()).as("element " + id).isTrue();
      assertThat(info.getExitStatus()).as("element " + id).isZero();
    }
    for (int i = 1; i <= 3; i++) {
      byte[] expected =
          Cluster.nativeRun(Map.of(), new byte[0], "montecarlo-whole", "3", "1" + i + "000");
      assertThat(read("bulk-" + i + ".out"))
          .as("element %d", i)
          .endsWith(new String(expected, StandardCharsets.UTF_8));
    }
  }

  private static String read(String file) throws Exception {
    Path p = jobs.resolve(file);
    return Files.exists(p) ? Files.readString(p) : "(no " + file + ")";
  }
}
