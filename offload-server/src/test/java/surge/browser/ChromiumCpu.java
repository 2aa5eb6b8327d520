package surge.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** CPU time of one Browser's Chromium processes, from /proc (Linux). */
final class ChromiumCpu {
  /** USER_HZ is 100 on Linux. */
  static final double MILLIS_PER_TICK = 10;

  private ChromiumCpu() {}

  /** utime + stime of the browser process that uses this profile and of all its descendants. */
  static long ticks(Browser browser) {
    String profile = "--user-data-dir=" + browser.profile();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(profile)).orElse(false))
        .filter(
            p ->
                p.parent()
                    .map(
                        parent ->
                            !parent
                                .info()
                                .commandLine()
                                .map(c -> c.contains(profile))
                                .orElse(false))
                    .orElse(true))
        .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
        .mapToLong(ChromiumCpu::ticks)
        .sum();
  }

  private static long ticks(ProcessHandle p) {
    try {
      String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
      // Fields after the command name, which is in parentheses and may hold spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }
}
