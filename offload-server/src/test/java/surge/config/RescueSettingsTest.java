package surge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RescueSettingsTest {

  @Test
  void rescueIsOffByDefault() {
    var r = Settings.from(Map.of(), k -> null).rescue();
    assertThat(r.enabled()).isFalse();
    assertThat(r.target()).isEqualTo("volunteer");
    assertThat(r.poll()).isEqualTo(Duration.ofSeconds(5));
    assertThat(r.maxTasks()).isZero();
  }

  @Test
  void readsListsLimitsAndTheSlurmConfiguration() {
    var r =
        Settings.from(
                Map.of(
                    "SURGE_RESCUE_PARTITIONS", " batch, long ,batch",
                    "SURGE_RESCUE_POLL", "1s",
                    "SURGE_RESCUE_USERS", "alice,bob",
                    "SURGE_RESCUE_MAX_TASKS", "1000",
                    "SURGE_RESCUE_KERNELS", "fire.wasm",
                    "SLURM_CONF", "/etc/slurm/slurm.conf"),
                k -> null)
            .rescue();
    assertThat(r.enabled()).isTrue();
    assertThat(r.partitions()).containsExactly("batch", "long");
    assertThat(r.poll()).isEqualTo(Duration.ofSeconds(1));
    assertThat(r.users()).isEqualTo(Set.of("alice", "bob"));
    assertThat(r.maxTasks()).isEqualTo(1000);
    assertThat(r.kernels()).containsExactly("fire.wasm");
    assertThat(r.slurmConf()).isEqualTo(Optional.of("/etc/slurm/slurm.conf"));
    assertThat(
            Settings.from(Map.of("SURGE_SLURM_CONF", "/a.conf", "SLURM_CONF", "/b.conf"), k -> null)
                .rescue()
                .slurmConf())
        .contains("/a.conf");
  }

  @Test
  void refusesWatchingTheTargetAndBadLimits() {
    assertThatThrownBy(
            () -> Settings.from(Map.of("SURGE_RESCUE_PARTITIONS", "batch,volunteer"), k -> null))
        .hasMessageContaining("SURGE_RESCUE_PARTITIONS")
        .hasMessageContaining("volunteer");
    assertThatThrownBy(() -> Settings.from(Map.of("SURGE_RESCUE_MAX_CPUS", "-1"), k -> null))
        .hasMessageContaining("SURGE_RESCUE_MAX_CPUS");
  }
}
