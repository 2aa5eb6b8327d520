package surge.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Stopping what a test started, by pid: politely (SIGTERM) first, then SIGKILL. */
public final class Processes {
  private Processes() {}

  /**
   * Stops the process {@code pid} and whatever it started: SIGTERM, up to {@code grace} for it to
   * exit, then SIGKILL. Returns at once when it has already gone.
   */
  public static void stop(long pid, Duration grace) {
    ProcessHandle.of(pid).ifPresent(p -> stop(p, grace));
  }

  /** SIGKILL, no shutdown hook, no flush: as a crash. Waits until it has gone. */
  public static void kill(long pid) {
    ProcessHandle.of(pid)
        .ifPresent(
            p -> {
              List<ProcessHandle> children = p.descendants().toList();
              p.destroyForcibly();
              children.forEach(ProcessHandle::destroyForcibly);
              await(p, Duration.ofSeconds(30));
            });
  }

  private static void stop(ProcessHandle p, Duration grace) {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    if (!await(p, grace)) {
      p.destroyForcibly();
      await(p, Duration.ofSeconds(30));
    }
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
  }

  private static boolean await(ProcessHandle p, Duration limit) {
    try {
      p.onExit().get(limit.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    } catch (java.util.concurrent.ExecutionException e) {
      return !p.isAlive();
    }
  }
}
