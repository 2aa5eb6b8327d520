package surge.kernels.control;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import java.util.ArrayList;
import java.util.List;
import surge.api.Problem;

/**
 * Decides whether bytes are a kernel Surge will send to volunteers: a WebAssembly module that
 * parses, validates and links against WASI preview 1 alone, and is a command (exports {@code
 * _start} and {@code memory}). Anything else is refused with the reason, before any volunteer sees
 * it.
 */
public final class KernelValidator {
  static final String WASI = "wasi_snapshot_preview1";

  private KernelValidator() {}

  /**
   * @return the module's imports as {@code module.name}
   * @throws Problem 400 naming what is wrong
   */
  public static List<String> validate(byte[] bytes) {
    if (bytes.length < 8
        || bytes[0] != 0
        || bytes[1] != 'a'
        || bytes[2] != 's'
        || bytes[3] != 'm') {
      throw refuse("is not a WebAssembly module (it does not start with \\0asm)");
    }
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw refuse("is not a valid WebAssembly module: " + e.getMessage());
    }
    List<String> imports = new ArrayList<>();
    var importSection = module.importSection();
    for (int i = 0; i < importSection.importCount(); i++) {
      var imp = importSection.getImport(i);
      String name = imp.module() + "." + imp.name();
      if (!WASI.equals(imp.module())) {
        throw refuse("imports " + name + "; only " + WASI + " is allowed");
      }
      if (imp.importType() != ExternalType.FUNCTION) {
        throw refuse("imports " + name + " as a " + imp.importType() + "; WASI only has functions");
      }
      imports.add(name);
    }
    boolean start = false;
    boolean memory = false;
    var exports = module.exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      var e = exports.getExport(i);
      start |= "_start".equals(e.name()) && e.exportType() == ExternalType.FUNCTION;
      memory |= "memory".equals(e.name()) && e.exportType() == ExternalType.MEMORY;
    }
    if (!start) {
      throw refuse("does not export a _start function: it is not a WASI command module");
    }
    if (!memory) {
      throw refuse("does not export its memory, which WASI needs");
    }
    // Linking against the real WASI functions checks every import's signature, and building the
    // instance validates every function body. _start is not run.
    try (var wasi = WasiPreview1.builder().withOptions(WasiOptions.builder().build()).build()) {
      Instance.builder(module)
          .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
          .withStart(false)
          .build();
    } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw refuse("does not validate against WASI preview 1: " + e.getMessage());
    }
    return imports;
  }

  private static Problem refuse(String why) {
    return Problem.badField("kernel", "the kernel " + why);
  }
}
