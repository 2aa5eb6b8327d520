package surge.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import surge.client.ControlCharacters;
import surge.client.JobSpec;
import surge.client.JobSpec.Merge;
import surge.client.JobStatus;
import surge.client.SurgeApiException;
import surge.client.SurgeClient;
import surge.client.SurgeUnreachableException;
import surge.options.CompareOption;
import surge.options.JobOptions;
import surge.options.MergeOption;
import surge.options.VerifyOption;

/**
 * The one way a job goes to the server, for {@code surge submit} and {@code surge offload} alike:
 * upload the kernel (and reducer, validator and input), submit, wait with the job cancelled on a
 * signal, and write the result.
 */
final class Submission {
  private final SurgeClient client;
  private final Retry retry;
  private final Shell shell;

  Submission(SurgeClient client, Retry retry, Shell shell) {
    this.client = client;
    this.retry = retry;
    this.shell = shell;
  }

  /** Uploads what the job needs and submits it; answers the new job's status. */
  JobStatus submit(JobOptions job, Optional<String> slurmJobId)
      throws IOException, CommandFailure, SurgeUnreachableException, InterruptedException {
    return post(prepare(job, slurmJobId));
  }

  /**
   * Submits, waits for the job while showing {@code progress}, and writes its result to stdout or
   * the job's {@code --output}. A signal while this runs cancels the job, with {@code
   * cancelTimeout} for the request. Throws a {@link CommandFailure} for a job that failed or was
   * cancelled; answers the status of the succeeded job.
   */
  JobStatus run(
      JobOptions job,
      Optional<String> slurmJobId,
      JobProgress progress,
      Shell.Polling polling,
      Duration cancelTimeout)
      throws IOException,
          CommandFailure,
          SurgeApiException,
          SurgeUnreachableException,
          InterruptedException {
    return runOrHandOff(job, slurmJobId, progress, polling, cancelTimeout, Optional.empty())
        .orElseThrow();
  }

  /**
   * The wait handed to another process after submitting: {@code handOff} gets the submitted job and
   * the hook that would cancel it (marking {@link OffloadHandOff#markOver} when it does), and
   * answers true once that process has what it needs.
   */
  interface HandOff {
    boolean handOff(JobStatus submitted, CancelOnInterrupt guard) throws IOException;
  }

  /**
   * As {@link #run}, except that when {@code handOff} takes the submitted job this returns empty at
   * once: the wait, the result and the exit code are then the other process's.
   */
  Optional<JobStatus> runOrHandOff(
      JobOptions job,
      Optional<String> slurmJobId,
      JobProgress progress,
      Shell.Polling polling,
      Duration cancelTimeout,
      Optional<HandOff> handOff)
      throws IOException,
          CommandFailure,
          SurgeApiException,
          SurgeUnreachableException,
          InterruptedException {
    JobSpec spec = prepare(job, slurmJobId);
    JobStatus ended;
    try (CancelOnInterrupt guard = CancelOnInterrupt.install(client, shell.err(), cancelTimeout)) {
      guard.submitting();
      JobStatus submitted = post(spec);
      guard.watch(submitted.id());
      progress.submitted(submitted);
      if (handOff.isPresent() && handOff.get().handOff(submitted, guard)) {
        return Optional.empty();
      }
      ended = new JobWaiter(client, progress, polling).await(submitted.id());
    }
    finish(ended, job.output());
    return Optional.of(ended);
  }

  /**
   * Takes a handed-off wait back ({@code surge offload --resume}): one look at the job, with it
   * cancelled on a signal; empty while it has not ended, else as {@link #run} ends. {@code over}
   * runs once the job is known to have ended or been cancelled here.
   */
  Optional<JobStatus> resume(
      String jobId,
      Optional<Path> output,
      JobProgress progress,
      Duration elapsed,
      Duration cancelTimeout,
      Runnable over)
      throws IOException,
          CommandFailure,
          SurgeApiException,
          SurgeUnreachableException,
          InterruptedException {
    JobStatus status;
    try (CancelOnInterrupt guard = CancelOnInterrupt.install(client, shell.err(), cancelTimeout)) {
      guard.afterCancel(over);
      guard.watch(jobId);
      try {
        status = client.status(jobId);
        if (!status.state().isEnded()) {
          return Optional.empty();
        }
        over.run();
        progress.update(status, elapsed);
      } finally {
        progress.finish();
      }
    }
    finish(status, output);
    return Optional.of(status);
  }

  private void finish(JobStatus ended, Optional<Path> output)
      throws IOException,
          CommandFailure,
          SurgeApiException,
          SurgeUnreachableException,
          InterruptedException {
    Outcome.requireSucceeded(ended);
    ResultWriter.write(client, ended.id(), output, shell.out());
  }

  private JobSpec prepare(JobOptions job, Optional<String> slurmJobId)
      throws IOException, CommandFailure, SurgeUnreachableException, InterruptedException {
    String kernelSha = uploadKernel(job.kernel());
    JobSpec.Builder spec =
        JobSpec.builder(kernelSha, job.tasks())
            .name(job.name().orElse(null))
            .args(job.args())
            .env(job.env())
            .priority(job.priority().orElse(null))
            .deadline(job.deadline().orElse(null))
            .taskTimeout(job.taskTimeout().orElse(null))
            .verify(job.verify().map(VerifyOption::wire).orElse(null))
            .verifyError(job.verifyError().orElse(null))
            .slurmJobId(slurmJobId.orElse(null));
    if (job.merge().isPresent()) {
      MergeOption merge = job.merge().get();
      Optional<Path> reducer = merge.reducer();
      spec.merge(
          reducer.isPresent() ? Merge.reduce(uploadKernel(reducer.get())) : Merge.of(merge.kind()));
    }
    if (job.compare().isPresent()) {
      CompareOption compare = job.compare().get();
      // A validator kernel goes up as a reducer does; the server checks its approval at submit.
      Optional<String> validator =
          compare.validator().isPresent()
              ? Optional.of(uploadKernel(compare.validator().get()))
              : Optional.empty();
      spec.compare(compare.wire(validator));
    }
    if (job.input().isPresent()) {
      spec.input(uploadInput(job.input().get()), job.split());
    }
    return spec.build();
  }

  private JobStatus post(JobSpec spec)
      throws IOException, CommandFailure, SurgeUnreachableException, InterruptedException {
    try {
      return retry.once(() -> client.submit(spec));
    } catch (SurgeApiException e) {
      throw refusedOrFailed(e, "the job", e.describe());
    }
  }

  private String uploadKernel(Path file)
      throws IOException, CommandFailure, SurgeUnreachableException, InterruptedException {
    try {
      return retry.idempotent(() -> client.uploadKernel(file)).sha256();
    } catch (SurgeApiException e) {
      throw refusedOrFailed(e, "kernel " + file, ControlCharacters.escape(e.getMessage()));
    }
  }

  private String uploadInput(Path file)
      throws IOException, CommandFailure, SurgeUnreachableException, InterruptedException {
    try {
      return retry.idempotent(() -> client.uploadInput(file)).sha256();
    } catch (SurgeApiException e) {
      throw refusedOrFailed(e, "input " + file, ControlCharacters.escape(e.getMessage()));
    }
  }

  private static CommandFailure refusedOrFailed(SurgeApiException e, String what, String reason) {
    if (e.status() == 401) {
      // Not about this job or file: about who calls. One line that says what to do.
      return new CommandFailure(ExitCodes.USAGE, e.describe());
    }
    return e.isRefusal()
        ? new CommandFailure(ExitCodes.USAGE, "the server refused " + what + ": " + reason)
        : new CommandFailure(ExitCodes.ERROR, "the server failed on " + what + ": " + reason);
  }
}
