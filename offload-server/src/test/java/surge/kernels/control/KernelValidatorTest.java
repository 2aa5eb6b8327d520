package surge.kernels.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import surge.TestFiles;
import surge.api.Problem;

class KernelValidatorTest {
  @TempDir Path dir;
  final KernelValidator validator = new KernelValidator(KernelLimits.defaults());

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
    for (String k :
        new String[] {
          "montecarlo", "mandelbrot", "noop", "pi-reduce", "linecount", "spin", "fail", "trap"
        }) {
      assertThat(validator.validate(TestFiles.kernel(k)))
          .as(k)
          .allMatch(i -> i.startsWith("wasi_snapshot_preview1."));
    }
    assertThat(validator.validate(TestFiles.kernel("montecarlo")))
        .contains("wasi_snapshot_preview1.fd_write");
  }

  @Test
  void refusesWhatIsNotWebAssembly() {
    assertThatThrownBy(() -> validator.validate("#!/bin/sh\necho hi\n".getBytes()))
        .isInstanceOf(Problem.class)
        .hasMessageContaining("not a WebAssembly module");
    byte[] truncated = java.util.Arrays.copyOf(TestFiles.kernel("montecarlo"), 100);
    assertThatThrownBy(() -> validator.validate(truncated))
        .hasMessageContaining("not a valid WebAssembly module");
  }

  @Test
  void refusesImportsOutsideWasi() throws Exception {
    byte[] k =
        wat(
            "(module (import \"env\" \"steal\" (func)) (memory (export \"memory\") 1)"
                + " (func (export \"_start\")))");
    assertThatThrownBy(() -> validator.validate(k))
        .hasMessage("the kernel imports env.steal; only wasi_snapshot_preview1 is allowed");
  }

  @Test
  void refusesAWasiImportWithTheWrongSignature() throws Exception {
    byte[] k =
        wat(
            "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32)))"
                + " (memory (export \"memory\") 1) (func (export \"_start\")))");
    assertThatThrownBy(() -> validator.validate(k))
        .hasMessageContaining("does not validate against WASI");
  }

  @Test
  void refusesALibraryWithoutStart() throws Exception {
    byte[] k = wat("(module (memory (export \"memory\") 1) (func (export \"add\")))");
    assertThatThrownBy(() -> validator.validate(k))
        .hasMessageContaining("does not export a _start");
  }

  @Test
  void refusesAModuleWithoutExportedMemory() throws Exception {
    byte[] k = wat("(module (func (export \"_start\")))");
    assertThatThrownBy(() -> validator.validate(k))
        .hasMessageContaining("does not export its memory");
  }

  /** A WASI command around {@code body}: exported memory of {@code memory} and a _start. */
  static String command(String memory, String body) {
    return "(module (memory (export \"memory\") "
        + memory
        + ") (func (export \"_start\")) "
        + body
        + ")";
  }

  @Test
  @Timeout(10)
  void refusesAStartSectionWithoutRunningIt() throws Exception {
    // The 62-byte attack: a start function that never returns. Instantiating ran it.
    byte[] k = wat(command("1", "(func $spin (loop (br 0))) (start $spin)"));
    assertThat(k.length).isLessThan(100);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> validator.validate(k))
        .isInstanceOf(Problem.class)
        .hasMessageContaining("has a start section");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  @Timeout(10)
  void refusesMemoryOverTheLimitWithoutAllocatingIt() throws Exception {
    // The 55-byte attack: 16384 pages (1 GiB) declared, allocated by every instantiation.
    byte[] k = wat(command("16384", ""));
    assertThatThrownBy(() -> validator.validate(k))
        .hasMessage(
            "the kernel declares an initial memory of 16384 pages (1024 MiB); the limit is 4096"
                + " pages (256 MiB) (SURGE_MAX_KERNEL_MEMORY)");
    byte[] max = wat(command("1 65535", ""));
    assertThatThrownBy(() -> validator.validate(max))
        .hasMessageContaining("maximum memory of 65535 pages")
        .hasMessageContaining("SURGE_MAX_KERNEL_MEMORY");
    var small = new KernelValidator(new KernelLimits(1 << 20, 100, 1 << 20));
    assertThatThrownBy(() -> small.validate(wat(command("17", ""))))
        .hasMessageContaining("the limit is 16 pages (1 MiB)");
  }

  @Test
  void allowsMemoryWithoutAMaximumAsClangEmitsIt() throws Exception {
    assertThat(validator.validate(wat(command("2", "")))).isEmpty();
    assertThat(validator.validate(wat(command("2 4096", "")))).isEmpty();
  }

  @Test
  void refusesMoreFunctionsThanTheLimit() throws Exception {
    var few = new KernelValidator(new KernelLimits(1 << 20, 3, 1 << 20));
    assertThat(few.validate(wat(command("1", "(func) (func)")))).isEmpty();
    assertThatThrownBy(() -> few.validate(wat(command("1", "(func) (func) (func)"))))
        .hasMessage("the kernel defines 4 functions; the limit is 3 (SURGE_MAX_KERNEL_FUNCTIONS)");
  }

  @Test
  void refusesMoreCodeThanTheLimit() throws Exception {
    var small = new KernelValidator(new KernelLimits(1 << 20, 100, 64));
    String nops = "(func " + "nop ".repeat(100) + ")";
    assertThatThrownBy(() -> small.validate(wat(command("1", nops))))
        .hasMessageContaining("bytes of code; the limit is 64 (SURGE_MAX_KERNEL_CODE_BYTES)");
  }

  @Test
  void refusesHugeTablesManyGlobalsAndSeveralMemories() throws Exception {
    assertThatThrownBy(() -> validator.validate(wat(command("1", "(table 2000000 funcref)"))))
        .hasMessageContaining("table of 2000000 entries; the limit is 1000000");
    String globals = "(global i32 (i32.const 0)) ".repeat(10_001);
    assertThatThrownBy(() -> validator.validate(wat(command("1", globals))))
        .hasMessageContaining("10001 globals; the limit is 10000");
    String data = "(data (i32.const 0) \"x\") ".repeat(10_001);
    assertThatThrownBy(() -> validator.validate(wat(command("1", data))))
        .hasMessageContaining("10001 data segments; the limit is 10000");
  }

  @Test
  void refusesAnInvalidFunctionBody() throws Exception {
    // Validated by the parser, not by linking: the body leaves an i32 where nothing is returned.
    Path src = dir.resolve("bad.wat");
    Files.writeString(src, command("1", "(func (i32.const 1))"));
    var p =
        new ProcessBuilder(
                "wat2wasm", "--no-check", src.toString(), "-o", dir.resolve("bad.wasm").toString())
            .inheritIO()
            .start();
    assertThat(p.waitFor()).isZero();
    byte[] k = Files.readAllBytes(dir.resolve("bad.wasm"));
    assertThatThrownBy(() -> validator.validate(k))
        .hasMessageContaining("is not a valid WebAssembly module");
  }

  @Test
  void refusesAStartExportThatTakesArguments() throws Exception {
    byte[] k =
        wat("(module (memory (export \"memory\") 1) (func (export \"_start\") (param i32)))");
    assertThatThrownBy(() -> validator.validate(k)).hasMessageContaining("takes and gives nothing");
  }
}
