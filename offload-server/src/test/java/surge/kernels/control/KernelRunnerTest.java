package surge.kernels.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import surge.TestFiles;

public class KernelRunnerTest {
  final KernelRunner runner = new KernelRunner(4 << 20, 1 << 20);

  @AfterEach
  void close() {
    runner.close();
  }

  KernelRunner.Outcome run(byte[] wasm, Duration limit) throws TimeoutException {
    return runner.run(wasm, List.of("reduce"), Map.of(), new byte[0], limit);
  }

  @Test
  void runsARealReducer() throws Exception {
    byte[] outputs = "7 10\n8 10\n".getBytes(StandardCharsets.US_ASCII);
    var outcome =
        runner.run(
            TestFiles.kernel("pi-reduce"),
            List.of("reduce"),
            Map.of("SURGE_TASK_COUNT", "2"),
            outputs,
            Duration.ofSeconds(30));
    assertThat(outcome.ok()).as(outcome.stderrText()).isTrue();
    assertThat(new String(outcome.stdout(), StandardCharsets.UTF_8)).startsWith("pi ~= 3");
  }

  @Test
  @Timeout(30)
  void stopsALoopAtTheTimeLimitAndGivesItsCpuBack() throws Exception {
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> run(Wat.spinning(), Duration.ofMillis(500)))
        .isInstanceOf(TimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    // Before, the loop kept a thread of the runner's own pool busy after the timeout, for ever.
    // A spinning loop would spend the whole second; JIT and GC threads on a loaded machine some.
    assertThat(cpuSpentDuring(Duration.ofSeconds(1))).isLessThan(Duration.ofMillis(700));
  }

  @Test
  @Timeout(30)
  void capsMemoryGrowthAndSaysSo() throws Exception {
    var outcome = run(Wat.memoryHungry(), Duration.ofSeconds(20));
    assertThat(outcome.ok()).isFalse();
    assertThat(outcome.trap())
        .contains("unreachable")
        .contains("limit of " + (4 << 20) + " bytes, SURGE_REDUCE_MEMORY");
  }

  @Test
  void refusesAKernelDeclaringMoreMemoryThanTheCap() throws Exception {
    byte[] big = Wat.wasm("(module (memory (export \"memory\") 100) (func (export \"_start\")))");
    var outcome = run(big, Duration.ofSeconds(5));
    assertThat(outcome.trap()).contains("declares 100 pages").contains("SURGE_REDUCE_MEMORY");
  }

  @Test
  @Timeout(30)
  void capsStdout() throws Exception {
    // fd_write of the 8 bytes at 0, for ever: an iovec {0, 8} at 16, nwritten at 32.
    byte[] flood =
        Wat.wasm(
            "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func $w (param i32 i32 i32"
                + " i32) (result i32))) (memory (export \"memory\") 1) (data (i32.const 16)"
                + " \"\\00\\00\\00\\00\\08\\00\\00\\00\") (func (export \"_start\") (loop (drop"
                + " (call $w (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32))) (br 0))))");
    var outcome = run(flood, Duration.ofSeconds(20));
    assertThat(outcome.trap()).isEqualTo("the kernel wrote more than 1048576 bytes to stdout");
    assertThat(outcome.stdout().length).isLessThanOrEqualTo(1 << 20);
  }

  @Test
  void neverRunsAStartSection() throws Exception {
    byte[] k =
        Wat.wasm(
            "(module (memory (export \"memory\") 1) (func $s (loop (br 0))) (start $s)"
                + " (func (export \"_start\")))");
    assertThat(run(k, Duration.ofSeconds(5)).trap()).contains("start section");
  }

  /** The CPU time this whole JVM spends over {@code wall}. */
  public static Duration cpuSpentDuring(Duration wall) throws InterruptedException {
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long before = os.getProcessCpuTime();
    Thread.sleep(wall.toMillis());
    return Duration.ofNanos(os.getProcessCpuTime() - before);
  }
}
