package surge.slurmcommon.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SlurmTimesTest {
  @Test
  void timeLimitsAndRunTimesInSlurmsFormats() {
    assertThat(SlurmTimes.duration("5:00")).contains(Duration.ofMinutes(5));
    assertThat(SlurmTimes.duration("1:00:00")).contains(Duration.ofHours(1));
    assertThat(SlurmTimes.duration("00:00:07")).contains(Duration.ofSeconds(7));
    assertThat(SlurmTimes.duration("2-00:00:30")).contains(Duration.ofDays(2).plusSeconds(30));
    assertThat(SlurmTimes.duration("UNLIMITED")).isEmpty();
    assertThat(SlurmTimes.duration("INVALID")).isEmpty();
  }

  @Test
  void timesAreSlurmctldsLocalTime() {
    assertThat(SlurmTimes.instant("2026-12-04T02:43:15", ZoneOffset.ofHours(1)))
        .contains(Instant.parse("2026-12-04T01:43:15Z"));
    assertThat(SlurmTimes.instant("Unknown", ZoneOffset.UTC)).isEmpty();
    assertThat(SlurmTimes.instant("N/A", ZoneOffset.UTC)).isEmpty();
  }
}
