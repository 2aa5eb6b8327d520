package surge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessesTest {
  @Test
  void stopEndsAProcessByItsPid() throws Exception {
    Process p = new ProcessBuilder("sleep", "60").start();
    Processes.stop(p.pid(), Duration.ofSeconds(10));
    assertThat(p.isAlive()).isFalse();
    assertThat(p.exitValue()).as("ended by SIGTERM").isEqualTo(143);
  }

  @Test
  void aProcessThatIgnoresSigtermIsKilledAfterTheGrace() throws Exception {
    Process p =
        new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done")
            .start();
    assertThat(new String(p.getInputStream().readNBytes(6))).isEqualTo("ready\n");
    long start = System.nanoTime();
    Processes.stop(p.pid(), Duration.ofMillis(500));
    assertThat(p.isAlive()).isFalse();
    assertThat(p.exitValue()).as("SIGKILL").isEqualTo(137);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(500));
  }

  @Test
  void aGoneProcessIsNoError() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    Processes.stop(p.pid(), Duration.ofSeconds(1));
    Processes.kill(p.pid());
  }
}
