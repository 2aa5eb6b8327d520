package surge.kernels.control;

import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.FunctionType;
import java.util.HashMap;
import java.util.Map;

/**
 * The types of WASI preview 1's functions, as Chicory implements them: what a kernel's imports are
 * checked against without linking (linking meant building an instance, which runs code).
 */
final class WasiSignatures {
  private static final Map<String, FunctionType> TYPES = load();

  private WasiSignatures() {}

  /** The type of WASI function {@code name}, or null when WASI has none of that name. */
  static FunctionType of(String name) {
    return TYPES.get(name);
  }

  private static Map<String, FunctionType> load() {
    Map<String, FunctionType> types = new HashMap<>();
    try (var wasi = WasiPreview1.builder().build()) {
      for (var f : wasi.toHostFunctions()) {
        types.put(f.name(), f.functionType());
      }
    }
    return Map.copyOf(types);
  }
}
