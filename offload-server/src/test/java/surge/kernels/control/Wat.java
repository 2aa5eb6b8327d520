package surge.kernels.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tiny hand-written kernels for tests: WebAssembly text built with wabt's wat2wasm. */
public final class Wat {
  private Wat() {}

  /** The bytes of the module {@code text}. */
  public static byte[] wasm(String text) {
    try {
      Path dir = Files.createTempDirectory("surge-wat");
      Path src = dir.resolve("k.wat");
      Path out = dir.resolve("k.wasm");
      Files.writeString(src, text);
      var p =
          new ProcessBuilder("wat2wasm", src.toString(), "-o", out.toString())
              .redirectErrorStream(true)
              .start();
      String log = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalArgumentException("wat2wasm failed: " + log);
      }
      byte[] bytes = Files.readAllBytes(out);
      Files.delete(out);
      Files.delete(src);
      Files.delete(dir);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A WASI command whose {@code _start} is {@code body}, with an exported memory of 2 pages. */
  public static byte[] command(String body) {
    return wasm("(module (memory (export \"memory\") 2) (func (export \"_start\") " + body + "))");
  }

  /** Loops as clang's loops do, on {@code br_if}, which Chicory's interpreter never interrupts. */
  public static byte[] spinning() {
    return command("(loop (br_if 0 (i32.const 1)))");
  }

  /** Grows its memory one 64 KiB page at a time until refused, then traps. */
  public static byte[] memoryHungry() {
    return command(
        "(loop (br_if 0 (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable");
  }
}
