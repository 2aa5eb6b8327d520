package surge.http;

import surge.config.Settings;

/**
 * The largest request body each path accepts: kernels and inputs have their own settings, every
 * other body is JSON. Decided from the path alone, before a byte of the body is read.
 */
public record BodyLimits(long kernelBytes, long inputBytes, long jsonBytes) {

  /** One limit: its size, the setting that raises it, and what the body is called in errors. */
  public record Limit(long bytes, String setting, String field) {
    /** The refusal of a body of a known size. */
    public String refusal(long size) {
      return "the "
          + field
          + " is "
          + size
          + " bytes; the limit is "
          + bytes
          + " ("
          + setting
          + ")";
    }

    /** The refusal of a body found too large while it was read. */
    public String refusal() {
      return "the " + field + " is larger than its limit of " + bytes + " bytes (" + setting + ")";
    }
  }

  public static BodyLimits of(Settings settings) {
    return new BodyLimits(
        settings.maxKernelBytes(), settings.maxInputBytes(), settings.maxJsonBytes());
  }

  /**
   * The limit for a request to {@code path} (the container's decoded, normalised path). A path that
   * JAX-RS maps elsewhere than this guess gets another bounded limit, never none.
   */
  public Limit forPath(String path) {
    if (path.equals("/api/kernels") || path.startsWith("/api/kernels/")) {
      return new Limit(kernelBytes, "SURGE_MAX_KERNEL_BYTES", "kernel");
    }
    if (path.equals("/api/inputs") || path.startsWith("/api/inputs/")) {
      return new Limit(inputBytes, "SURGE_MAX_INPUT_BYTES", "input");
    }
    return new Limit(jsonBytes, "SURGE_MAX_JSON_BYTES", "body");
  }
}
