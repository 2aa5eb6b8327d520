import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ggf.drmaa.DrmaaException;
import org.ggf.drmaa.JobInfo;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.Session;
import org.ggf.drmaa.SessionFactory;

/**
 * What a workflow engine does through DRMAA, on Surge's Slurm partition: a bulk job of Monte Carlo
 * samplers (one Slurm job array), a wait for all of them, their results read back, then a dependent
 * step that reduces them to pi, and a report. The steps are the native builds of Surge's example
 * kernels ({@code montecarlo}, {@code pi-reduce}), the same C programs whose WebAssembly builds run
 * on the volunteers.
 *
 * <pre>
 * mvn -q package -DskipTests          # surge.jar and the kernels
 * eval "$(deploy/slurm/local-cluster.sh env)"
 * java -cp slurm-bridge/target/surge.jar examples/drmaa/PiWorkflow.java \
 *     [--partition volunteer] [--parts 4] [--samples 2000000] [--dir pi-workflow] \
 *     [--kernels examples/kernels/build/native]
 * </pre>
 *
 * Exits 0 when every step exited 0, 1 when a step failed (the report names it and its output file),
 * 2 on a usage error.
 */
public class PiWorkflow {
  public static void main(String[] args) throws Exception {
    String partition = "volunteer";
    int parts = 4;
    long samples = 2_000_000;
    Path dir = Path.of("pi-workflow");
    Path kernels = Path.of("examples/kernels/build/native");
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--partition" -> partition = value;
        case "--parts" -> parts = Integer.parseInt(value);
        case "--samples" -> samples = Long.parseLong(value);
        case "--dir" -> dir = Path.of(value);
        case "--kernels" -> kernels = Path.of(value);
        default -> usage("unknown argument " + args[i]);
      }
      i++;
    }
    if (!Files.isExecutable(kernels.resolve("montecarlo"))) {
      usage(
          kernels.resolve("montecarlo") + " is missing: build it with mvn -q package -DskipTests");
    }
    dir = Files.createDirectories(dir).toAbsolutePath();
    kernels = kernels.toAbsolutePath();
    System.exit(new PiWorkflow().run(partition, parts, samples, dir, kernels) ? 0 : 1);
  }

  private static void usage(String problem) {
    System.err.println("PiWorkflow: " + problem);
    System.err.println(
        "usage: PiWorkflow [--partition P] [--parts N] [--samples S] [--dir DIR] [--kernels DIR]");
    System.exit(2);
  }

  @SuppressWarnings("unchecked") // DRMAA 1.0's List of job ids predates generics
  boolean run(String partition, int parts, long samples, Path dir, Path kernels)
      throws DrmaaException, IOException {
    Session session = SessionFactory.getFactory().getSession();
    session.init("partition=" + partition);
    try {
      System.out.printf(
          "%s via %s, %s%n",
          session.getDrmSystem(), session.getDrmaaImplementation(), session.getContact());

      // Step 1: one bulk job, element i samples with its own random stream (the kernel seeds it
      // from SURGE_TASK_INDEX; DRMAA's indices start at 1, so the count is parts + 1).
      JobTemplate sample = session.createJobTemplate();
      sample.setRemoteCommand(kernels.resolve("montecarlo").toString());
      sample.setArgs(List.of(Long.toString(samples)));
      sample.setJobEnvironment(
          Map.of(
              "SURGE_TASK_INDEX",
              JobTemplate.PARAMETRIC_INDEX,
              "SURGE_TASK_COUNT",
              Integer.toString(parts + 1)));
      sample.setJobName("pi-sample");
      sample.setWorkingDirectory(dir.toString());
      sample.setOutputPath(
          ":" + JobTemplate.WORKING_DIRECTORY + "/part-" + JobTemplate.PARAMETRIC_INDEX + ".txt");
      sample.setErrorPath(
          ":" + JobTemplate.WORKING_DIRECTORY + "/part-" + JobTemplate.PARAMETRIC_INDEX + ".err");
      List<String> ids = session.runBulkJobs(sample, 1, parts, 1);
      session.deleteJobTemplate(sample);
      System.out.printf("step 1: %d samplers of %d points each: %s%n", parts, samples, ids);

      session.synchronize(ids, Session.TIMEOUT_WAIT_FOREVER, false);
      long hits = 0;
      long total = 0;
      StringBuilder allParts = new StringBuilder();
      boolean ok = true;
      for (int i = 0; i < ids.size(); i++) {
        JobInfo info = session.wait(ids.get(i), Session.TIMEOUT_NO_WAIT);
        Path out = dir.resolve("part-" + (i + 1) + ".txt");
        if (!succeeded(info)) {
          System.out.printf(
              "  %s %s (see %s)%n",
              info.getJobId(), how(info), dir.resolve("part-" + (i + 1) + ".err"));
          ok = false;
          continue;
        }
        String result = Files.readString(out).strip();
        String[] words = result.split("\\s+");
        hits += Long.parseLong(words[0]);
        total += Long.parseLong(words[1]);
        allParts.append(result).append('\n');
        Map<String, String> usage = info.getResourceUsage();
        System.out.printf(
            "  %s exited 0 on %s in %s s: %s%n",
            info.getJobId(), usage.get("nodes"), usage.get("wallclock"), result);
      }
      if (!ok) {
        System.out.println("step 1 failed: the reduction does not run");
        return false;
      }

      // Step 2 depends on step 1's results: pi-reduce reads them all on stdin.
      Path inputs = Files.writeString(dir.resolve("parts.txt"), allParts);
      JobTemplate reduce = session.createJobTemplate();
      reduce.setRemoteCommand(kernels.resolve("pi-reduce").toString());
      reduce.setJobName("pi-reduce");
      reduce.setWorkingDirectory(dir.toString());
      reduce.setInputPath(":" + inputs);
      reduce.setOutputPath(":" + JobTemplate.WORKING_DIRECTORY + "/pi.txt");
      reduce.setJoinFiles(true);
      String reduceId = session.runJob(reduce);
      session.deleteJobTemplate(reduce);
      JobInfo reduced = session.wait(reduceId, Session.TIMEOUT_WAIT_FOREVER);
      String pi = Files.readString(dir.resolve("pi.txt")).strip();
      if (!succeeded(reduced)) {
        System.out.printf("step 2: %s %s: %s%n", reduceId, how(reduced), pi);
        return false;
      }
      System.out.printf("step 2: %s: %s%n", reduceId, pi);
      // pi-reduce prints "pi ~= 3.1415926536 from ..."; the workflow checks it against the parts
      double estimate = 4.0 * hits / total;
      double reducedValue = Double.parseDouble(pi.split("\\s+")[2]);
      System.out.printf(
          "pi ~ %.6f from %d of %d points inside (checked here: %s)%n",
          estimate, hits, total, Math.abs(reducedValue - estimate) < 1e-9 ? "same" : "DIFFERENT");
      return true;
    } finally {
      session.exit();
    }
  }

  private static boolean succeeded(JobInfo info) throws DrmaaException {
    return info.hasExited() && info.getExitStatus() == 0;
  }

  private static String how(JobInfo info) throws DrmaaException {
    if (info.wasAborted()) {
      return "was aborted before it ran";
    }
    if (info.hasSignaled()) {
      return "was killed by " + info.getTerminatingSignal();
    }
    return info.hasExited() ? "exited " + info.getExitStatus() : "ended without an exit status";
  }
}
