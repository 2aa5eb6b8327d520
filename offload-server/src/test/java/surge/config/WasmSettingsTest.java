package surge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WasmSettingsTest {
  static Settings.Wasm wasm(Map<String, String> env) {
    return Settings.from(env, k -> null).wasm();
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    var w = wasm(Map.of());
    assertThat(w.maxMemoryBytes()).isEqualTo(256L << 20);
    assertThat(w.maxFunctions()).isEqualTo(100_000);
    assertThat(w.maxCodeBytes()).isEqualTo(4L << 20);
    assertThat(w.reduceMemoryBytes()).isEqualTo(256L << 20);
    assertThat(w.mergeWorkers()).isEqualTo(2);
    assertThat(w.mergeQueue()).isEqualTo(10_000);
    assertThat(w.kernelPolicy()).isEqualTo("approved");
  }

  @Test
  void readsSizesInBytesOrBinaryUnits() {
    assertThat(wasm(Map.of("SURGE_REDUCE_MEMORY", "8MiB")).reduceMemoryBytes()).isEqualTo(8 << 20);
    assertThat(wasm(Map.of("SURGE_MAX_KERNEL_MEMORY", "1GiB")).maxMemoryBytes())
        .isEqualTo(1L << 30);
    assertThat(wasm(Map.of("SURGE_MAX_KERNEL_CODE_BYTES", "65536")).maxCodeBytes())
        .isEqualTo(65536);
  }

  @Test
  void refusesABadSizeNamingTheVariable() {
    assertThatThrownBy(() -> wasm(Map.of("SURGE_REDUCE_MEMORY", "lots")))
        .hasMessageStartingWith("SURGE_REDUCE_MEMORY must be a size in bytes");
    assertThatThrownBy(() -> wasm(Map.of("SURGE_MAX_KERNEL_MEMORY", "5GiB")))
        .hasMessageStartingWith("SURGE_MAX_KERNEL_MEMORY must be between");
    assertThatThrownBy(() -> wasm(Map.of("SURGE_MERGE_WORKERS", "0")))
        .hasMessageStartingWith("SURGE_MERGE_WORKERS must be between 1");
  }
}
