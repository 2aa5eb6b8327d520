package surge.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The example kernels (examples/kernels/build: wasm for the server, native builds that stand in for
 * a volunteer's runtime), and small modules made at test time.
 */
final class TestKernels {
  private TestKernels() {}

  private static Path build() {
    String dir = System.getProperty("surge.it.kernels");
    if (dir == null) {
      throw new IllegalStateException(
          "surge.it.kernels is not set: run the ITs through maven-failsafe");
    }
    return Path.of(dir);
  }

  static byte[] wasm(String name) {
    Path file = build().resolve("wasm").resolve(name + ".wasm");
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(
          file + " is missing: build the examples first (make -C examples/kernels)", e);
    }
  }

  static Path nativeProgram(String name) {
    Path file = build().resolve("native").resolve(name);
    if (!Files.isExecutable(file)) {
      throw new IllegalStateException(
          file + " is missing: build the examples first (make -C examples/kernels)");
    }
    return file;
  }

  /**
   * The same module with a custom section naming a random id appended: it runs the same and is
   * valid, but its sha256 is new, so its upload is a first upload whatever ran before.
   */
  static byte[] unique(byte[] wasm) {
    byte[] name = "surge-it".getBytes(StandardCharsets.US_ASCII);
    byte[] payload = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
    var content = new ByteArrayOutputStream();
    leb128(content, name.length);
    content.writeBytes(name);
    content.writeBytes(payload);
    var out = new ByteArrayOutputStream();
    out.writeBytes(wasm);
    out.write(0); // custom section id
    leb128(out, content.size());
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }

  private static void leb128(ByteArrayOutputStream out, int value) {
    do {
      int b = value & 0x7f;
      value >>>= 7;
      out.write(value == 0 ? b : b | 0x80);
    } while (value != 0);
  }

  /** Assembles WebAssembly text with wabt's wat2wasm (Debian package wabt). */
  static byte[] wat(String text) {
    try {
      Path dir = Files.createTempDirectory("surge-it-wat");
      Path source = Files.writeString(dir.resolve("m.wat"), text);
      Path module = dir.resolve("m.wasm");
      Process p =
          new ProcessBuilder("wat2wasm", source.toString(), "-o", module.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("wat2wasm failed: " + output);
      }
      byte[] bytes = Files.readAllBytes(module);
      Files.delete(module);
      Files.delete(source);
      Files.delete(dir);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("wat2wasm (Debian package wabt) is needed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
