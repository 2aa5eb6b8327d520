package surge.volunteers.boundary;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The executor a watched Tyrus session schedules on (see {@link IdleSessions}): Tyrus's per-frame
 * idle-timeout tasks are dropped without being queued (Surge keeps idleness itself); anything else
 * Tyrus schedules (its optional pong heartbeat) runs on Surge's thread. Sessions share it, so it
 * cannot be shut down through them.
 */
final class TyrusTimers implements ScheduledExecutorService {
  private final ScheduledExecutorService thread;

  TyrusTimers(ScheduledExecutorService thread) {
    this.thread = thread;
  }

  static boolean isIdleTimeout(Runnable command) {
    return command.getClass().getName().endsWith(IdleSessions.IDLE_COMMAND);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return isIdleTimeout(command) ? Dropped.INSTANCE : thread.schedule(command, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return thread.schedule(callable, delay, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return thread.scheduleAtFixedRate(command, initialDelay, period, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return thread.scheduleWithFixedDelay(command, initialDelay, delay, unit);
  }

  @Override
  public void execute(Runnable command) {
    if (!isIdleTimeout(command)) thread.execute(command);
  }

  @Override
  public void shutdown() {
    // Shared by every session: not theirs to stop (IdleSessions stops it with the application).
  }

  @Override
  public List<Runnable> shutdownNow() {
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return thread.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return thread.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return thread.awaitTermination(timeout, unit);
  }

  @Override
  public <T> Future<T> submit(Callable<T> task) {
    return thread.submit(task);
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    return thread.submit(task, result);
  }

  @Override
  public Future<?> submit(Runnable task) {
    return thread.submit(task);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks)
      throws InterruptedException {
    return thread.invokeAll(tasks);
  }

  @Override
  public <T> List<Future<T>> invokeAll(
      Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException {
    return thread.invokeAll(tasks, timeout, unit);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
      throws InterruptedException, ExecutionException {
    return thread.invokeAny(tasks);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return thread.invokeAny(tasks, timeout, unit);
  }

  /** A dropped timeout: already cancelled, so cancelling it again (as Tyrus does) is nothing. */
  static final class Dropped implements ScheduledFuture<Object> {
    static final Dropped INSTANCE = new Dropped();

    @Override
    public long getDelay(TimeUnit unit) {
      return 0;
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(0, o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false;
    }

    @Override
    public boolean isCancelled() {
      return true;
    }

    @Override
    public boolean isDone() {
      return true;
    }

    @Override
    public Object get() {
      throw new CancellationException("dropped: Surge keeps the session's idle time");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return get();
    }
  }
}
