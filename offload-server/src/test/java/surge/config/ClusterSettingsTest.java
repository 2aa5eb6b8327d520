package surge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {
  static final String PG = "jdbc:postgresql://db:5432/surge";

  @Test
  void offByDefaultWithASixSecondLease() {
    var c = Settings.from(Map.of(), k -> null).cluster();
    assertThat(c.on()).isFalse();
    assertThat(c.lease()).isEqualTo(Duration.ofSeconds(6));
    assertThat(c.name()).endsWith(":" + ProcessHandle.current().pid());
  }

  @Test
  void onWithPostgresql() {
    var c =
        Settings.from(
                Map.of(
                    "SURGE_CLUSTER", "on",
                    "SURGE_DB_URL", PG,
                    "SURGE_CLUSTER_LEASE", "10s",
                    "SURGE_INSTANCE_NAME", "node-2"),
                k -> null)
            .cluster();
    assertThat(c.on()).isTrue();
    assertThat(c.lease()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.name()).isEqualTo("node-2");
  }

  @Test
  void onNeedsPostgresqlAndSaysSo() {
    assertThatThrownBy(() -> Settings.from(Map.of("SURGE_CLUSTER", "on"), k -> null))
        .hasMessageContaining("SURGE_CLUSTER=on needs PostgreSQL")
        .hasMessageContaining("SURGE_DB_URL");
  }

  @Test
  void badValuesNameTheSetting() {
    assertThatThrownBy(() -> Settings.from(Map.of("SURGE_CLUSTER", "yes"), k -> null))
        .hasMessageContaining("SURGE_CLUSTER must be on or off");
    assertThatThrownBy(
            () ->
                Settings.from(
                    Map.of(
                        "SURGE_CLUSTER", "on", "SURGE_DB_URL", PG, "SURGE_CLUSTER_LEASE", "200ms"),
                    k -> null))
        .hasMessageContaining("SURGE_CLUSTER_LEASE must be at least 1 second");
  }
}
