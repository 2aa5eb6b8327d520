package surge.cli;

import surge.client.JobStatus;

/** Turns a job that ended badly into the message and exit code the user gets. */
final class Outcome {
  private Outcome() {}

  /** Returns normally for a succeeded job, else throws the failure to report. */
  static void requireSucceeded(JobStatus status) throws CommandFailure {
    switch (status.state()) {
      case SUCCEEDED:
        return;
      case FAILED:
        throw new CommandFailure(ExitCodes.JOB_FAILED, JobLines.failure(status));
      case CANCELLED:
        throw new CommandFailure(
            ExitCodes.JOB_CANCELLED, "job " + JobLines.safe(status.id()) + " was cancelled");
      default:
        throw new CommandFailure(
            ExitCodes.USAGE,
            "job "
                + JobLines.safe(status.id())
                + " has not ended yet ("
                + status.state()
                + ", "
                + status.tasks().done()
                + "/"
                + status.tasks().total()
                + " tasks done); its result is not ready");
    }
  }
}
