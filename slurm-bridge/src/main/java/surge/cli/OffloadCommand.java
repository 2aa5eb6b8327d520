package surge.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import surge.client.Credentials;
import surge.client.JobStatus;
import surge.client.SurgeClient;
import surge.options.DurationConverter;
import surge.options.JobOptions;
import surge.slurm.JobComment;
import surge.slurm.OffloadJob;
import surge.slurm.OffloadScript;
import surge.slurm.SlurmClient;
import surge.slurm.SlurmJob;
import surge.slurmcommon.command.SlurmException;
import surge.slurmcommon.script.InvalidScript;

/**
 * {@code surge offload}: the launcher of the volunteer partition. It runs inside a Slurm batch job,
 * reads the job script's {@code #OFFLOAD} lines, and then behaves as {@code surge submit --wait}
 * would with those options, so that the Slurm job's output, exit code and state tell how the Surge
 * job went. Progress also goes to the Slurm job's Comment.
 */
@Command(
    name = "offload",
    description = {
      "Runs the job that a Slurm job script's #OFFLOAD lines describe on the Surge server and waits"
          + " for it: the launcher of the volunteer partition.",
      "The result goes to stdout (the job's output file) or to --output=FILE; progress goes to"
          + " stderr and to the Slurm job's Comment (squeue -o %k); the exit code says how the job"
          + " ended. SIGTERM (scancel) cancels the job on the server.",
      "In the job script, below the #SBATCH and #OFFLOAD lines:",
      "  [ \"$SLURM_JOB_PARTITION\" = volunteer ] && exec surge offload \"$0\""
    })
final class OffloadCommand implements Callable<Integer> {
  /** Well within Slurm's KillWait (often 5 to 30 s) between SIGTERM and SIGKILL. */
  static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(2);

  /** A job's output file needs fewer lines than a person at a terminal. */
  static final Duration LOG_INTERVAL = Duration.ofSeconds(5);

  static final Duration COMMENT_INTERVAL = Duration.ofSeconds(2);
  static final Duration SCONTROL_TIMEOUT = Duration.ofSeconds(10);

  /** The name slurmd gives its copy of a batch script (in {@code SlurmdSpoolDir/jobNNNNN/}). */
  static final String SLURMD_COPY = "slurm_script";

  @ParentCommand private Surge surge;
  @Spec private CommandSpec spec;
  @Mixin private ServerOption server;
  @Mixin private HelpOption help;

  @Parameters(
      arity = "0..1",
      paramLabel = "SCRIPT",
      description =
          "The job script with the #OFFLOAD lines; in a batch script pass \"$0\". Without it, the"
              + " running Slurm job's script is read with scontrol write batch_script.")
  private Path script;

  @Option(
      names = "--resume",
      paramLabel = "FILE",
      hidden = true,
      description = "Internal: surge-wait hands a waited-for job back (see OffloadHandOff).")
  private Path resume;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "How long the server may stay unreachable, when submitting or while waiting, before the"
              + " job fails (default: ${DEFAULT-VALUE}).")
  private Duration connectTimeout;

  @Override
  public Integer call() throws Exception {
    Shell shell = surge.shell();
    SlurmJob slurmJob = SlurmJob.from(shell.env(), shell.workingDirectory());
    SlurmClient slurm = new SlurmClient(shell.env(), SCONTROL_TIMEOUT);
    try (JobComment comment = new JobComment(slurmJob, slurm, shell.err(), COMMENT_INTERVAL)) {
      try {
        Optional<JobStatus> succeeded =
            resume != null ? resume(shell, comment) : offload(shell, slurmJob, slurm, comment);
        if (succeeded.isEmpty()) {
          // Handed to surge-wait, or back to it: the job still runs, and so does the wait.
          return resume != null ? OffloadHandOff.WAIT_MORE : ExitCodes.OK;
        }
        comment.last(JobComment.done(succeeded.get()));
        return ExitCodes.OK;
      } catch (Exception e) {
        String message = ErrorReporter.report(e).message();
        comment.last(
            JobComment.failed(message.lines().findFirst().orElse(message), comment.verification()));
        throw e;
      }
    }
  }

  private Optional<JobStatus> offload(
      Shell shell, SlurmJob slurmJob, SlurmClient slurm, JobComment comment) throws Exception {
    OffloadJob parsed = read(shell, slurmJob, slurm);
    for (String warning : parsed.warnings()) {
      shell.err().println("surge: warning: " + warning);
    }
    JobOptions job = parsed.job();
    job.nameIfAbsent(
        slurmJob.name().orElse(script == null ? "slurm job" : script.getFileName().toString()));
    Shell.Polling polling =
        new Shell.Polling(shell.polling().interval(), shell.polling().maxBackoff(), connectTimeout);
    SurgeClient client = server.client(shell);
    Submission submission =
        new Submission(client, Retry.during(connectTimeout, polling, shell.err()), shell);
    JobProgress progress =
        JobProgress.all(
            new SlurmProgress(shell.err(), client.server(), job, comment),
            new ProgressBar(shell.err(), shell.terminal(), LOG_INTERVAL));
    Optional<Path> handOffFile = OffloadHandOff.requested(shell);
    Optional<Submission.HandOff> handOff =
        handOffFile
            .filter(f -> OffloadHandOff.reachable(client.server()))
            .filter(f -> client.credential().origin().isPresent())
            .map(f -> handOff(f, shell, client, polling, slurmJob, job.output()));
    return submission.runOrHandOff(job, slurmJob.id(), progress, polling, CANCEL_TIMEOUT, handOff);
  }

  /**
   * Writes what surge-wait needs, then disarms this JVM's hook, unless it has fired (a signal came
   * during the submission): then the hook cancels, marks the hand-off over, and this JVM ends.
   */
  private static Submission.HandOff handOff(
      Path file,
      Shell shell,
      SurgeClient client,
      Shell.Polling polling,
      SlurmJob slurmJob,
      Optional<Path> output) {
    return (submitted, guard) -> {
      guard.afterCancel(() -> OffloadHandOff.markOver(file));
      OffloadHandOff.write(
          file,
          new OffloadHandOff.Wait(
              submitted.id(),
              client.server(),
              client.credential().origin().orElseThrow(),
              shell.clock().instant(),
              polling,
              LOG_INTERVAL,
              COMMENT_INTERVAL,
              SCONTROL_TIMEOUT,
              CANCEL_TIMEOUT,
              slurmJob.id(),
              shell.terminal(),
              output));
      return guard.handOff();
    };
  }

  /** {@code --resume FILE}: surge-wait hands the wait back for the end, or for a failure. */
  private Optional<JobStatus> resume(Shell shell, JobComment comment) throws Exception {
    OffloadHandOff.Wait wait;
    try {
      wait = OffloadHandOff.read(resume);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.ERROR, e.getMessage());
    }
    SurgeClient client = new SurgeClient(wait.server(), Credentials.resolve(shell.env()));
    Submission submission = new Submission(client, Retry.never(), shell);
    JobProgress progress =
        JobProgress.all(
            (status, elapsed) -> comment.update(status),
            new ProgressBar(shell.err(), shell.terminal(), LOG_INTERVAL));
    Duration elapsed = Duration.between(wait.started(), shell.clock().instant());
    return submission.resume(
        wait.jobId(),
        wait.output(),
        progress,
        elapsed,
        CANCEL_TIMEOUT,
        () -> OffloadHandOff.markOver(resume));
  }

  /** The script named on the command line, else the running job's script as Slurm stored it. */
  private OffloadJob read(Shell shell, SlurmJob slurmJob, SlurmClient slurm)
      throws CommandFailure, InterruptedException {
    try {
      if (script != null) {
        return OffloadScript.read(
            script, label(script, slurmJob), shell.env(), slurmJob.workDir(), shell.clock());
      }
      if (slurmJob.id().isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            "no SCRIPT given, and this is no Slurm job (SLURM_JOB_ID is not set): pass the job"
                + " script, as in: surge offload job.sh");
      }
      String id = slurmJob.id().get();
      String text;
      try {
        text = slurm.batchScript(id);
      } catch (SlurmException e) {
        throw new CommandFailure(
            ExitCodes.ERROR,
            "cannot read the script of Slurm job "
                + id
                + ": "
                + e.getMessage()
                + "; pass it instead: surge offload \"$0\"");
      }
      return OffloadScript.parse(
          batchScriptOf(id), text, shell.env(), slurmJob.workDir(), shell.clock());
    } catch (InvalidScript e) {
      throw new CommandFailure(ExitCodes.USAGE, e.getMessage());
    }
  }

  /**
   * How messages name the script: as given, except slurmd's copy in its spool directory ({@code
   * "$0"} in a batch script), whose long path says less than the job's id.
   */
  private static String label(Path script, SlurmJob slurmJob) {
    return slurmJob.id().isPresent() && script.endsWith(SLURMD_COPY)
        ? batchScriptOf(slurmJob.id().get())
        : script.toString();
  }

  private static String batchScriptOf(String jobId) {
    return "batch script of job " + jobId;
  }

  /** Says where the job went, and keeps the Slurm job's Comment up to date. */
  private static final class SlurmProgress implements JobProgress {
    private final PrintStream err;
    private final URI server;
    private final JobOptions job;
    private final JobComment comment;

    SlurmProgress(PrintStream err, URI server, JobOptions job, JobComment comment) {
      this.err = err;
      this.server = server;
      this.job = job;
      this.comment = comment;
    }

    @Override
    public void submitted(JobStatus status) {
      err.println(
          "surge: job "
              + JobLines.safe(status.id())
              + " submitted to "
              + server
              + ": "
              + job.tasks()
              + " tasks of "
              + job.kernel().getFileName());
      err.flush();
      comment.update(status);
    }

    @Override
    public void update(JobStatus status, Duration elapsed) {
      comment.update(status);
    }
  }
}
