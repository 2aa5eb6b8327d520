package surge.cli;

/** What {@code surge} exits with; scripts and the Slurm launcher rely on these numbers. */
public final class ExitCodes {
  public static final int OK = 0;

  /** The job failed: a task exited non-zero or trapped, the merge failed, the deadline passed. */
  public static final int JOB_FAILED = 1;

  /** A usage error, or the server refused the request (4xx): fix the command and try again. */
  public static final int USAGE = 2;

  public static final int JOB_CANCELLED = 3;

  /** No answer from the server: it is down, unreachable, or the URL is wrong. */
  public static final int UNREACHABLE = 4;

  /** The server failed (5xx) or answered something this client cannot read; a local I/O error. */
  public static final int ERROR = 5;

  /** Interrupted by SIGINT (128 + 2), as shells report it. */
  public static final int INTERRUPTED = 130;

  /**
   * Terminated by SIGTERM (128 + 15), e.g. by {@code scancel}: the JVM exits with it by itself,
   * after the shutdown hook has cancelled the waited-for job.
   */
  public static final int TERMINATED = 143;

  private ExitCodes() {}
}
