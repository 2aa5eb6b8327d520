package surge.cli;

import java.time.Duration;
import java.util.List;
import surge.client.JobStatus;

/**
 * Who hears about a job while it is waited for: the progress bar on stderr and, in a Slurm job, the
 * job's Comment.
 */
interface JobProgress {
  /** The server accepted the job; called once, before the first {@link #update}. */
  default void submitted(JobStatus status) {}

  /** The job's status as of {@code elapsed} since the wait began. */
  void update(JobStatus status, Duration elapsed);

  /** The wait is over, whether the job ended or the wait failed. */
  default void finish() {}

  /** Tells every one of {@code listeners}, in order. */
  static JobProgress all(JobProgress... listeners) {
    List<JobProgress> all = List.of(listeners);
    return new JobProgress() {
      @Override
      public void submitted(JobStatus status) {
        all.forEach(p -> p.submitted(status));
      }

      @Override
      public void update(JobStatus status, Duration elapsed) {
        all.forEach(p -> p.update(status, elapsed));
      }

      @Override
      public void finish() {
        all.forEach(JobProgress::finish);
      }
    };
  }
}
