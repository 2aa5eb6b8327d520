package surge.cli;

import java.time.Duration;
import surge.client.JobStatus;
import surge.client.SurgeApiException;
import surge.client.SurgeClient;
import surge.client.SurgeUnreachableException;

/**
 * Polls a job until it ends, feeding the progress bar. A server that stops answering for a while (a
 * restart, a network blip) is retried with growing pauses; only when it stays away longer than
 * {@link Shell.Polling#giveUpAfter()} does the wait fail.
 */
final class JobWaiter {
  private final SurgeClient client;
  private final JobProgress progress;
  private final Shell.Polling polling;

  JobWaiter(SurgeClient client, JobProgress progress, Shell.Polling polling) {
    this.client = client;
    this.progress = progress;
    this.polling = polling;
  }

  JobStatus await(String jobId)
      throws SurgeApiException, SurgeUnreachableException, InterruptedException {
    long start = System.nanoTime();
    long failingSince = -1;
    Duration pause = polling.interval();
    try {
      while (true) {
        JobStatus status;
        try {
          status = client.status(jobId);
        } catch (SurgeUnreachableException | SurgeApiException e) {
          if (e instanceof SurgeApiException api && !api.isTransient()) {
            throw e;
          }
          long now = System.nanoTime();
          failingSince = failingSince < 0 ? now : failingSince;
          if (Duration.ofNanos(now - failingSince).compareTo(polling.giveUpAfter()) >= 0) {
            throw e;
          }
          Thread.sleep(pause.toMillis());
          pause = min(pause.multipliedBy(2), polling.maxBackoff());
          continue;
        }
        failingSince = -1;
        pause = polling.interval();
        progress.update(status, Duration.ofNanos(System.nanoTime() - start));
        if (status.state().isEnded()) {
          return status;
        }
        Thread.sleep(polling.interval().toMillis());
      }
    } finally {
      progress.finish();
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
