package surge.rescue.control;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Slurm commands the rescuer runs ({@code squeue}, {@code scontrol}), with {@code SLURM_CONF}
 * from the configuration. Slurm prints times in slurmctld's local time zone, which is taken to be
 * the server's.
 */
public final class Slurm {
  /** Runs one command and answers its exit code and its stdout and stderr together. */
  @FunctionalInterface
  public interface Runner {
    Output run(List<String> command) throws IOException;
  }

  public record Output(int exitCode, String text) {}

  private static final String SQUEUE_FORMAT =
      "JobID:|,ArrayTaskID:|,UserName:|,Partition:|,EligibleTime:|,Reason:|,NumCPUs:|,"
          + "TimeLimit:|,WorkDir:|";

  private final Runner runner;
  private final ZoneId zone;

  public Slurm(Runner runner, ZoneId zone) {
    this.runner = runner;
    this.zone = zone;
  }

  /** Runs the commands as processes with {@code SLURM_CONF} set when given. */
  public static Slurm commands(Optional<String> slurmConf, Duration timeout) {
    return new Slurm(command -> exec(command, slurmConf, timeout), ZoneId.systemDefault());
  }

  /** The pending jobs of {@code partitions}: one {@code squeue} call. */
  public List<PendingJob> pending(List<String> partitions) {
    String out =
        check(
            List.of(
                "squeue",
                "-h",
                "-t",
                "PENDING",
                "-p",
                String.join(",", partitions),
                "-O",
                SQUEUE_FORMAT));
    List<PendingJob> jobs = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\\|", 9);
      if (f.length < 9) {
        throw new SlurmException("squeue printed a line the rescuer cannot read: " + line);
      }
      jobs.add(
          new PendingJob(
              f[0].strip(),
              !"N/A".equals(f[1].strip()),
              f[2].strip(),
              f[3].strip(),
              time(f[4].strip()),
              f[5].strip(),
              parseInt(f[6].strip(), 1),
              timeLimit(f[7].strip()),
              Path.of(f[8].strip().replaceAll("\\|$", ""))));
    }
    return jobs;
  }

  /** The job's batch script ({@code scontrol write batch_script ID -}). */
  public String batchScript(String jobId) {
    return check(List.of("scontrol", "write", "batch_script", jobId, "-"));
  }

  /** {@code scontrol update JobId=ID FIELD=VALUE...}. */
  public void update(String jobId, String... fields) {
    List<String> cmd = new ArrayList<>(List.of("scontrol", "update", "JobId=" + jobId));
    cmd.addAll(List.of(fields));
    check(cmd);
  }

  /** {@code scontrol requeue ID}. */
  public void requeue(String jobId) {
    check(List.of("scontrol", "requeue", jobId));
  }

  /**
   * {@code scontrol show job -o ID} as fields (JobState, Reason, Partition, ...); empty when Slurm
   * no longer knows the job.
   */
  public Map<String, String> show(String jobId) {
    Output out = run(List.of("scontrol", "show", "job", "-o", jobId));
    Map<String, String> fields = new LinkedHashMap<>();
    if (out.exitCode() != 0) {
      return fields;
    }
    String line = out.text().lines().findFirst().orElse("");
    // Values such as Comment may hold blanks: a field starts at a blank followed by Key=.
    for (String part : line.strip().split(" (?=[A-Z][A-Za-z:/]*=)")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        fields.put(part.substring(0, eq), part.substring(eq + 1).strip());
      }
    }
    return fields;
  }

  Optional<Instant> time(String text) {
    try {
      return Optional.of(LocalDateTime.parse(text).atZone(zone).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty(); // N/A, Unknown
    }
  }

  /** {@code 30:00}, {@code 1:00:00}, {@code 2-00:00:00}; UNLIMITED and others: empty. */
  static Optional<Duration> timeLimit(String text) {
    String t = text;
    long days = 0;
    int dash = t.indexOf('-');
    if (dash > 0) {
      days = parseInt(t.substring(0, dash), -1);
      t = t.substring(dash + 1);
    }
    String[] p = t.split(":");
    if (days < 0 || p.length < 2 || p.length > 3) {
      return Optional.empty();
    }
    long h = p.length == 3 ? parseInt(p[0], -1) : 0;
    long m = parseInt(p[p.length - 2], -1);
    long s = parseInt(p[p.length - 1], -1);
    if (h < 0 || m < 0 || s < 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofDays(days).plusHours(h).plusMinutes(m).plusSeconds(s));
  }

  private static int parseInt(String s, int fallback) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private String check(List<String> command) {
    Output out = run(command);
    if (out.exitCode() != 0) {
      throw new SlurmException(
          String.join(" ", command)
              + " failed (exit "
              + out.exitCode()
              + "): "
              + out.text().strip());
    }
    return out.text();
  }

  private Output run(List<String> command) {
    try {
      return runner.run(command);
    } catch (IOException e) {
      throw new SlurmException(String.join(" ", command) + ": " + e.getMessage());
    }
  }

  private static Output exec(List<String> command, Optional<String> slurmConf, Duration timeout)
      throws IOException {
    var pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    slurmConf.ifPresent(c -> env.put("SLURM_CONF", c));
    pb.redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Path out = Files.createTempFile("surge-slurm", ".out");
    try {
      pb.redirectOutput(out.toFile());
      Process p = pb.start();
      try {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IOException("no answer within " + timeout);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
      return new Output(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
