package surge.slurmcommon.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  private static final Instant NOW = Instant.parse("2026-11-23T17:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @ParameterizedTest
  @CsvSource({
    "30m, PT30M",
    "2h, PT2H",
    "1h30m, PT1H30M",
    "45s, PT45S",
    "90s, PT1M30S",
    "1d, PT24H",
    "1d2h3m4s, PT26H3M4S",
    "2H, PT2H",
    "500ms, PT0.5S",
    "1s500ms, PT1.5S",
    "30m2h, PT2H30M",
    "PT30M, PT30M",
    "p1dt2h, PT26H",
    " 5m , PT5M"
  })
  void readsTheCommandLinesAndTheServersDurations(String text, String expected) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
    assertThat(Durations.positive(text)).isEqualTo(Duration.parse(expected));
  }

  @Test
  void zeroIsADurationButNotAPositiveOne() {
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse("PT0S")).isZero();
    assertThatThrownBy(() -> Durations.positive("0h0m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a duration must be positive, got '0h0m'");
  }

  @Test
  void aRepeatedUnitIsRefusedAsATypo() {
    assertThatThrownBy(() -> Durations.parse("1m1m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the unit m is given twice in '1m1m'; give each unit once");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "m", "1x", "-5m", "1.5h", "0s", "0h0m", "h30m", "PT-5M", "P"})
  void refusesWhatIsNotAPositiveDuration(String text) {
    assertThatThrownBy(() -> Durations.positive(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void refusesADurationTooLongForJava() {
    assertThatThrownBy(() -> Durations.parse("99999999999999999999d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
    assertThatThrownBy(() -> Durations.parse("9999999999999999d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
  }

  @Test
  void aDurationDeadlineCountsFromNow() {
    assertThat(Durations.deadline("2h", CLOCK)).isEqualTo(NOW.plus(Duration.ofHours(2)));
    assertThat(Durations.deadline("1h30m", CLOCK)).isEqualTo(Instant.parse("2026-11-23T18:30:00Z"));
    assertThat(Durations.deadline("PT2H", CLOCK)).isEqualTo(NOW.plus(Duration.ofHours(2)));
  }

  @Test
  void anInstantDeadlineIsTakenAsIs() {
    assertThat(Durations.deadline("2026-11-23T18:00:00Z", CLOCK))
        .isEqualTo(Instant.parse("2026-11-23T18:00:00Z"));
    assertThat(Durations.deadline("2026-11-23T19:00:00+01:00", CLOCK))
        .isEqualTo(Instant.parse("2026-11-23T18:00:00Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tomorrow", "2026-11-23", "2026-11-23T18:00:00", ""})
  void aDeadlineThatIsNeitherSaysWhatIsExpected(String text) {
    assertThatThrownBy(() -> Durations.deadline(text, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("30m")
        .hasMessageContaining("2026-11-23T18:00:00Z");
  }

  @ParameterizedTest
  @CsvSource({
    "PT0S, 0.0 s",
    "PT12.345S, 12.3 s",
    "PT59.99S, 59.9 s",
    "PT4M5S, 4m05s",
    "PT1H2M5S, 1h02m05s"
  })
  void formatsElapsedTimeForPeople(String duration, String expected) {
    assertThat(Durations.format(Duration.parse(duration))).isEqualTo(expected);
  }
}
