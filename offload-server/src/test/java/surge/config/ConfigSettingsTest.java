package surge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;
import org.junit.jupiter.api.Test;

/**
 * Settings read through MicroProfile Config ask for the property a variable names ({@code
 * SURGE_MAX_JSON_BYTES} as {@code surge.max.json.bytes}), take raw values, and keep the bounds and
 * messages. That the container's environment source answers those names from {@code SURGE_*}
 * variables is shown on Payara by {@code surge.browser.EnvironmentSettingsIT}.
 */
class ConfigSettingsTest {
  @Test
  void eachVariableIsAskedForAsItsProperty() {
    var s =
        Settings.from(
            config(
                Map.of(
                    "surge.heartbeat", "2s",
                    "surge.max.json.bytes", "4096",
                    "surge.dispatch.mode", "batch",
                    "SLURM_CONF", "/etc/slurm/slurm.conf",
                    "surge.rescue.partitions", "batch")));
    assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.maxJsonBytes()).isEqualTo(4096);
    assertThat(s.dispatchMode()).isEqualTo("batch");
    assertThat(s.rescue().slurmConf()).contains("/etc/slurm/slurm.conf");
  }

  @Test
  void aValueIsTakenRawNotAsAnExpression() {
    var s = Settings.from(config(Map.of("surge.db.password", "pa${ss}word")));
    assertThat(s.dbPassword()).isEqualTo("pa${ss}word");
  }

  @Test
  void unsetAndBlankValuesGiveTheDefaults() {
    var s = Settings.from(config(Map.of("surge.lease", "  ")));
    assertThat(s.lease()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.dispatchMode()).isEqualTo("async");
  }

  @Test
  void aBadValueIsRefusedNamingTheVariable() {
    assertThatThrownBy(() -> Settings.from(config(Map.of("surge.tasks.per.worker", "0"))))
        .hasMessage("SURGE_TASKS_PER_WORKER must be between 1 and 10000, got 0");
  }

  @Test
  void theVariableNamesItsProperty() {
    assertThat(Settings.property("SURGE_MAX_KERNEL_CODE_BYTES"))
        .isEqualTo("surge.max.kernel.code.bytes");
  }

  /** A Config over a map (a raw value; no expressions), as a container's would answer. */
  static Config config(Map<String, String> values) {
    return new Config() {
      @Override
      public ConfigValue getConfigValue(String name) {
        String raw = values.get(name);
        return new ConfigValue() {
          @Override
          public String getName() {
            return name;
          }

          @Override
          public String getValue() {
            throw new AssertionError("expanded value read; raw values only");
          }

          @Override
          public String getRawValue() {
            return raw;
          }

          @Override
          public String getSourceName() {
            return "test";
          }

          @Override
          public int getSourceOrdinal() {
            return 100;
          }
        };
      }

      @Override
      public <T> T getValue(String name, Class<T> type) {
        throw new NoSuchElementException(name);
      }

      @Override
      public <T> Optional<T> getOptionalValue(String name, Class<T> type) {
        throw new AssertionError("expanded value read; raw values only");
      }

      @Override
      public Iterable<String> getPropertyNames() {
        return values.keySet();
      }

      @Override
      public Iterable<ConfigSource> getConfigSources() {
        return List.of();
      }

      @Override
      public <T> Optional<Converter<T>> getConverter(Class<T> type) {
        return Optional.empty();
      }

      @Override
      public <T> T unwrap(Class<T> type) {
        throw new IllegalArgumentException();
      }
    };
  }
}
