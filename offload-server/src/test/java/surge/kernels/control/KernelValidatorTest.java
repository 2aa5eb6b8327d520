package surge.kernels.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.TestFiles;
import surge.api.Problem;

class KernelValidatorTest {
  @TempDir Path dir;

  byte[] wat(String text) throws IOException, InterruptedException {
    Path src = dir.resolve("k.wat");
    Path out = dir.resolve("k.wasm");
    Files.writeString(src, text);
    var p =
        new ProcessBuilder("wat2wasm", src.toString(), "-o", out.toString()).inheritIO().start();
    assertThat(p.waitFor()).as("wat2wasm").isZero();
    return Files.readAllBytes(out);
  }

  @Test
  void acceptsTheExampleKernelsAndListsTheirImports() {
    for (String k : new String[] {"montecarlo", "mandelbrot", "noop", "pi-reduce", "linecount"}) {
      assertThat(KernelValidator.validate(TestFiles.kernel(k)))
          .as(k)
          .allMatch(i -> i.startsWith("wasi_snapshot_preview1."));
    }
    assertThat(KernelValidator.validate(TestFiles.kernel("montecarlo")))
        .contains("wasi_snapshot_preview1.fd_write");
  }

  @Test
  void refusesWhatIsNotWebAssembly() {
    assertThatThrownBy(() -> KernelValidator.validate("#!/bin/sh\necho hi\n".getBytes()))
        .isInstanceOf(Problem.class)
        .hasMessageContaining("not a WebAssembly module");
    byte[] truncated = java.util.Arrays.copyOf(TestFiles.kernel("montecarlo"), 100);
    assertThatThrownBy(() -> KernelValidator.validate(truncated))
        .hasMessageContaining("not a valid WebAssembly module");
  }

  @Test
  void refusesImportsOutsideWasi() throws Exception {
    byte[] k =
        wat(
            "(module (import \"env\" \"steal\" (func)) (memory (export \"memory\") 1)"
                + " (func (export \"_start\")))");
    assertThatThrownBy(() -> KernelValidator.validate(k))
        .hasMessage("the kernel imports env.steal; only wasi_snapshot_preview1 is allowed");
  }

  @Test
  void refusesAWasiImportWithTheWrongSignature() throws Exception {
    byte[] k =
        wat(
            "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32)))"
                + " (memory (export \"memory\") 1) (func (export \"_start\")))");
    assertThatThrownBy(() -> KernelValidator.validate(k))
        .hasMessageContaining("does not validate against WASI");
  }

  @Test
  void refusesALibraryWithoutStart() throws Exception {
    byte[] k = wat("(module (memory (export \"memory\") 1) (func (export \"add\")))");
    assertThatThrownBy(() -> KernelValidator.validate(k))
        .hasMessageContaining("does not export a _start");
  }

  @Test
  void refusesAModuleWithoutExportedMemory() throws Exception {
    byte[] k = wat("(module (func (export \"_start\")))");
    assertThatThrownBy(() -> KernelValidator.validate(k))
        .hasMessageContaining("does not export its memory");
  }
}
