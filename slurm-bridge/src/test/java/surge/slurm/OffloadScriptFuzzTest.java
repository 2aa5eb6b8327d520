package surge.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import surge.slurmcommon.script.InvalidScript;

/**
 * Any job script gives a job or {@link InvalidScript} naming the line: the {@code #OFFLOAD} reader
 * ({@link OffloadScript}, its words through {@link ScriptWords}, its options through {@link
 * OffloadLine}) lets nothing else escape to {@code surge offload}'s user.
 */
public class OffloadScriptFuzzTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-23T17:00:00Z"), ZoneOffset.UTC);
  private static final Path DIR = workDir();

  private static Path workDir() {
    try {
      Path dir = Files.createTempDirectory("offload-fuzz");
      Files.write(dir.resolve("k.wasm"), new byte[] {0, 'a', 's', 'm'});
      Files.writeString(dir.resolve("in.txt"), "1\n2\n");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void fuzzerTestOneInput(byte[] input) {
    String script = new String(input, StandardCharsets.UTF_8);
    Map<String, String> env = Map.of("SLURM_SUBMIT_DIR", DIR.toString(), "N", "8", "K", "k.wasm");
    try {
      OffloadJob job = OffloadScript.parse("job.sh", script, env, DIR, CLOCK);
      assertThat(job.job()).isNotNull();
    } catch (InvalidScript e) {
      assertThat(e.getMessage()).startsWith("job.sh");
    }
  }

  @FuzzTest(maxDuration = "5s")
  @DictionaryEntries({
    "#OFFLOAD ",
    "#SBATCH ",
    "--kernel=k.wasm",
    "--tasks=",
    "--arg=",
    "--merge=",
    "sum",
    "concat",
    "--deadline=",
    "--rescue-after=",
    "--input=in.txt",
    "--split=",
    "lines",
    "--env=",
    "$N",
    "${K}",
    "\"",
    "'",
    "10m",
    "1h30m"
  })
  void everyScriptIsAJobOrInvalid(byte[] input) {
    fuzzerTestOneInput(input);
  }
}
