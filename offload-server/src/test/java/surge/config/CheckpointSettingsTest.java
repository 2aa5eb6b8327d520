package surge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointSettingsTest {
  @Test
  void theDefaultsAreTheReadmes() {
    var c = Settings.from(Map.of(), k -> null).checkpoints();
    assertThat(c.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.maxBytes()).isEqualTo(1 << 20);
    assertThat(c.memoryBytes()).isEqualTo(64L << 20);
  }

  @Test
  void eachIsReadAndZeroMemoryTurnsCheckpointsOff() {
    var c =
        Settings.from(
                Map.of(
                    "SURGE_CHECKPOINT_INTERVAL", "500ms",
                    "SURGE_CHECKPOINT_MAX_BYTES", "64KiB",
                    "SURGE_CHECKPOINT_MEMORY", "0"),
                k -> null)
            .checkpoints();
    assertThat(c.interval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.maxBytes()).isEqualTo(64 << 10);
    assertThat(c.memoryBytes()).isZero();
    var limits =
        surge.dispatch.DispatchLimits.defaults()
            .withCheckpoints(c.interval().toMillis(), c.maxBytes(), c.memoryBytes());
    assertThat(limits.checkpoints()).isFalse();
  }

  @Test
  void badValuesNameTheSetting() {
    assertThatThrownBy(() -> Settings.from(Map.of("SURGE_CHECKPOINT_MAX_BYTES", "lots"), k -> null))
        .hasMessageContaining("SURGE_CHECKPOINT_MAX_BYTES");
    assertThatThrownBy(() -> Settings.from(Map.of("SURGE_CHECKPOINT_MAX_BYTES", "1GiB"), k -> null))
        .hasMessageContaining("SURGE_CHECKPOINT_MAX_BYTES");
    assertThatThrownBy(() -> Settings.from(Map.of("SURGE_CHECKPOINT_INTERVAL", "0s"), k -> null))
        .hasMessageContaining("SURGE_CHECKPOINT_INTERVAL");
  }
}
