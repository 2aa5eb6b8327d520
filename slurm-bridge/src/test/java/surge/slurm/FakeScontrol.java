package surge.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in {@code scontrol} on a PATH of its own: a shell script that records each call (its
 * {@code SLURM_CONF} and arguments) and answers as told.
 */
public final class FakeScontrol {
  public static final String SLURM_CONF = "/etc/slurm/test-cluster.conf";

  private final Path dir;
  private final Path log;

  private FakeScontrol(Path dir) {
    this.dir = dir;
    this.log = dir.resolve("calls.log");
  }

  public static FakeScontrol in(Path dir) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    String script =
        String.join(
            "\n",
            "#!/bin/bash",
            "{ printf '%s' \"SLURM_CONF=$SLURM_CONF\"; for a in \"$@\"; do printf '|%s' \"$a\"; done;"
                + " printf '\\n'; } >> '"
                + dir.resolve("calls.log")
                + "'",
            "[ -f '"
                + dir.resolve("sleep")
                + "' ] && sleep \"$(cat '"
                + dir.resolve("sleep")
                + "')\"",
            "if [ -f '"
                + dir.resolve("fail")
                + "' ]; then cat '"
                + dir.resolve("fail")
                + "' >&2; exit 1; fi",
            "[ \"$1\" = write ] && cat '" + dir.resolve("batch_script") + "'",
            "exit 0",
            "");
    Path scontrol = Files.writeString(bin.resolve("scontrol"), script);
    Files.setPosixFilePermissions(scontrol, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new FakeScontrol(dir);
  }

  /** The environment of a job on this fake cluster: PATH, SLURM_CONF, SLURM_JOB_ID and more. */
  public Map<String, String> env(String jobId) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
    env.put("SLURM_CONF", SLURM_CONF);
    env.put("SLURM_JOB_ID", jobId);
    return env;
  }

  /** Every later call fails with this on stderr and exit code 1. */
  public void fail(String stderr) throws IOException {
    Files.writeString(dir.resolve("fail"), stderr + "\n");
  }

  public void answerBatchScript(String script) throws IOException {
    Files.writeString(dir.resolve("batch_script"), script);
  }

  /** Every later call sleeps this long first. */
  public void delay(Duration delay) throws IOException {
    Files.writeString(dir.resolve("sleep"), String.valueOf(delay.toMillis() / 1000.0));
  }

  /** One line per call: {@code SLURM_CONF=...|arg|arg}. */
  public List<String> calls() throws IOException {
    return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
  }

  /** The calls without the SLURM_CONF part, for brevity. */
  public List<String> argumentLines() throws IOException {
    return calls().stream().map(c -> c.substring(c.indexOf('|') + 1)).toList();
  }
}
