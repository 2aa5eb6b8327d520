package surge.volunteers.boundary;

import java.lang.management.ManagementFactory;

/**
 * How many volunteer connections one instance takes: its open-file limit less a reserve. Past the
 * limit the instance is lost to everything else (docs/benchmarks/connections.md: no {@code /health}
 * answer, a listener thread spinning on the accept that fails), so connections beyond the cap are
 * closed with 1013 at once, their socket given back, and the runtime retries later.
 */
final class ConnectionCap {
  private ConnectionCap() {}

  /**
   * The cap for an open-file limit: a tenth of it, at least 512, kept for the database, the REST
   * API, {@code /health}, jars and logs.
   *
   * @param maxFiles the process's open-file limit; 0 or less: unknown, no cap
   */
  static int forOpenFileLimit(long maxFiles) {
    if (maxFiles <= 0) {
      return Integer.MAX_VALUE;
    }
    long reserve = Math.max(512, maxFiles / 10);
    return (int) Math.min(Integer.MAX_VALUE, Math.max(64, maxFiles - reserve));
  }

  /** The cap for this process (the JVM has raised its soft limit to the hard limit already). */
  static int forThisProcess() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return forOpenFileLimit(unix.getMaxFileDescriptorCount());
    }
    return Integer.MAX_VALUE;
  }
}
