package surge.kernels.control;

/**
 * What a kernel may declare, checked at upload before its code is decoded. The first three are
 * settings (README: "Kernels"); the others are bounds no sane WASI command comes near (clang's
 * kernels in examples/ have 58 to 68 functions, one table of at most 6 entries, one global and two
 * data segments) but that keep one upload from costing the server, or a volunteer, much memory.
 *
 * @param maxMemoryBytes most linear memory a kernel may declare: its initial size, and its maximum
 *     when it declares one (SURGE_MAX_KERNEL_MEMORY)
 * @param maxFunctions most functions a kernel may define (SURGE_MAX_KERNEL_FUNCTIONS)
 * @param maxCodeBytes largest code section (SURGE_MAX_KERNEL_CODE_BYTES): Chicory's validation
 *     holds about 52 bytes of heap and 1.3 ms of CPU per code byte of one-byte instructions
 *     (measured)
 */
public record KernelLimits(long maxMemoryBytes, int maxFunctions, long maxCodeBytes) {
  static final long PAGE = 65_536;
  static final int MAX_TABLES = 16;
  static final long MAX_TABLE_ENTRIES = 1_000_000;
  static final int MAX_GLOBALS = 10_000;
  static final int MAX_DATA_SEGMENTS = 10_000;
  static final int MAX_ELEMENT_SEGMENTS = 10_000;
  static final int MAX_IMPORTS = 1_000;
  static final int MAX_EXPORTS = 10_000;

  public KernelLimits {
    if (maxMemoryBytes < PAGE || maxFunctions < 1 || maxCodeBytes < 1) {
      throw new IllegalArgumentException(
          "kernel limits must allow one memory page, one function and some code");
    }
  }

  /** The defaults of the settings: 256 MiB, 100000 functions, 4 MiB of code. */
  public static KernelLimits defaults() {
    return new KernelLimits(256L << 20, 100_000, 4L << 20);
  }

  /** {@link #maxMemoryBytes} in 64 KiB pages, rounded down. */
  public long maxPages() {
    return maxMemoryBytes / PAGE;
  }
}
