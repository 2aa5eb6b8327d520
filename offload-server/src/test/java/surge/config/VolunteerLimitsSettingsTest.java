package surge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VolunteerLimitsSettingsTest {
  @Test
  void theDefaultsAreTheReadmes() {
    var l = Settings.from(Map.of(), k -> null).volunteerLimits();
    assertThat(l.newVolunteerTasks()).isEqualTo(8);
    assertThat(l.maxVolunteerTasks()).isEqualTo(512);
    assertThat(l.taskTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(l.maxTaskTimeout()).isEqualTo(Duration.ofHours(6));
    assertThat(l.maxOutputBytes()).isEqualTo(16 << 20);
    assertThat(l.maxFailures()).isEqualTo(3);
  }

  @Test
  void eachIsReadFromTheEnvironmentOrASystemProperty() {
    Map<String, String> props =
        Map.of(
            "surge.new.volunteer.tasks", "2",
            "surge.task.timeout", "90s",
            "surge.max.failures", "5");
    var l =
        Settings.from(
                Map.of("SURGE_MAX_VOLUNTEER_TASKS", "64", "SURGE_MAX_OUTPUT_BYTES", "1024"),
                props::get)
            .volunteerLimits();
    assertThat(l.newVolunteerTasks()).isEqualTo(2);
    assertThat(l.maxVolunteerTasks()).isEqualTo(64);
    assertThat(l.taskTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(l.maxOutputBytes()).isEqualTo(1024);
    assertThat(l.maxFailures()).isEqualTo(5);
  }

  @Test
  void contradictoryLimitsStopTheServerNamingTheVariable() {
    assertThatThrownBy(
            () ->
                Settings.from(
                    Map.of("SURGE_TASK_TIMEOUT", "2h", "SURGE_MAX_TASK_TIMEOUT", "1h"), k -> null))
        .hasMessageContaining("SURGE_TASK_TIMEOUT")
        .hasMessageContaining("SURGE_MAX_TASK_TIMEOUT");
    assertThatThrownBy(
            () ->
                Settings.from(
                    Map.of("SURGE_NEW_VOLUNTEER_TASKS", "100", "SURGE_MAX_VOLUNTEER_TASKS", "10"),
                    k -> null))
        .hasMessageContaining("SURGE_NEW_VOLUNTEER_TASKS must be between 1 and 10");
    // A small maximum lowers the default start with it.
    assertThat(
            Settings.from(Map.of("SURGE_MAX_VOLUNTEER_TASKS", "4"), k -> null)
                .volunteerLimits()
                .newVolunteerTasks())
        .isEqualTo(4);
  }
}
