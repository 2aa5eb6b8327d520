package surge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaSettingsTest {
  @Test
  void theDefaultsLeaveRoomForArraysOfJobs() {
    var s = Settings.from(Map.of(), k -> null);
    assertThat(s.quotas().jobs()).isEqualTo(1000);
    assertThat(s.quotas().tasks()).isEqualTo(10_000_000);
    assertThat(s.quotas().inputBytes()).isEqualTo(10L << 30);
    assertThat(s.quotas().resultBytes()).isEqualTo(10L << 30);
    assertThat(s.quotas().submits()).contains(new Rate(600, Duration.ofMinutes(1)));
    assertThat(s.auditRetention()).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void readsSuffixesOffAndSystemProperties() {
    var s =
        Settings.from(
            Map.of("SURGE_QUOTA_INPUT_BYTES", "512M", "SURGE_QUOTA_RESULT_BYTES", "off"),
            k ->
                switch (k) {
                  case "surge.quota.jobs" -> "2";
                  case "surge.rate.submits" -> "5/min";
                  case "surge.audit.retention" -> "30d";
                  default -> null;
                });
    assertThat(s.quotas().jobs()).isEqualTo(2);
    assertThat(s.quotas().inputBytes()).isEqualTo(512L << 20);
    assertThat(s.quotas().resultBytes()).isEqualTo(Long.MAX_VALUE);
    assertThat(s.quotas().submits()).contains(new Rate(5, Duration.ofMinutes(1)));
    assertThat(s.auditRetention()).isEqualTo(Duration.ofDays(30));
  }

  @Test
  void badValuesNameTheSetting() {
    assertThatThrownBy(() -> Settings.from(Map.of("SURGE_QUOTA_JOBS", "many"), k -> null))
        .hasMessageContaining("SURGE_QUOTA_JOBS");
    assertThatThrownBy(() -> Settings.from(Map.of("SURGE_QUOTA_TASKS", "10G"), k -> null))
        .hasMessageContaining("SURGE_QUOTA_TASKS");
    assertThatThrownBy(() -> Settings.from(Map.of("SURGE_RATE_SUBMITS", "fast"), k -> null))
        .hasMessageContaining("SURGE_RATE_SUBMITS");
  }
}
