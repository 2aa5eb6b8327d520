package surge.jobs.control;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.logging.Logger;
import surge.api.Problem;
import surge.audit.control.Audit;
import surge.dispatch.Comparison;
import surge.dispatch.DispatchJob;
import surge.dispatch.Dispatcher;
import surge.dispatch.JobProgress;
import surge.dispatch.Verify;
import surge.identity.control.Caller;
import surge.jobs.entity.Job;
import surge.jobs.entity.JobResult;
import surge.jobs.entity.JobState;
import surge.kernels.control.KernelGate;
import surge.kernels.control.Kernels;
import surge.persistence.Database;
import surge.quotas.control.Quotas;

/**
 * Submitting, watching, cancelling and recovering jobs. Every job has an owner: a user sees and
 * cancels only their own, an operator all; another user's job is answered as if it did not exist.
 */
public final class Jobs {
  private static final Logger LOG = Logger.getLogger(Jobs.class.getName());
  private static final JsonProvider JSON = JsonProvider.provider();
  private static final byte[] EMPTY = new byte[0];

  private final Database db;
  private final Kernels kernels;
  private final KernelGate kernelGate;
  private final Inputs inputs;
  private final Dispatcher dispatcher;
  private final Merger merger;
  private final Clock clock;
  private final int maxTasks;
  private final Quotas quotas;
  private final Audit audit;
  private final Verify defaultVerify;
  private final java.util.function.Consumer<DispatchJob> dispatched;
  private SharedState shared = SharedState.NONE;

  public Jobs(
      Database db,
      Kernels kernels,
      KernelGate kernelGate,
      Inputs inputs,
      Dispatcher dispatcher,
      Merger merger,
      Clock clock,
      int maxTasks,
      Quotas quotas,
      Audit audit,
      Verify defaultVerify,
      java.util.function.Consumer<DispatchJob> dispatched) {
    this.defaultVerify = defaultVerify;
    this.dispatched = dispatched;
    this.quotas = quotas;
    this.audit = audit;
    this.db = db;
    this.kernels = kernels;
    this.kernelGate = kernelGate;
    this.inputs = inputs;
    this.dispatcher = dispatcher;
    this.merger = merger;
    this.clock = clock;
    this.maxTasks = maxTasks;
  }

  /**
   * Shares jobs with other instances (set once, before the first submission): a job's tasks are
   * claimed from the database instead of queued here, and status is read from the database.
   */
  public void share(SharedState shared) {
    this.shared = shared;
  }

  /**
   * Accepts a job: stored first, then queued, so an accepted job survives a crash. Its kernel and
   * reducer must be allowed by the kernel policy for {@code caller} (403 otherwise).
   */
  public JobView submit(Caller caller, String body) {
    quotas.rate(caller, "job submissions");
    JobSpec spec = JobSpec.parse(body, maxTasks, clock.instant());
    if (!kernels.exists(spec.kernel())) {
      throw Problem.badField(
          "kernel", "no kernel " + spec.kernel() + " has been uploaded (POST /api/kernels first)");
    }
    var maxTimeout = dispatcher.limits().maxTaskTimeout();
    spec.taskTimeout()
        .filter(t -> t.compareTo(maxTimeout) > 0)
        .ifPresent(
            t -> {
              throw Problem.badField(
                  "taskTimeout",
                  "taskTimeout must be at most "
                      + maxTimeout.toSeconds()
                      + " seconds (SURGE_MAX_TASK_TIMEOUT), got "
                      + t.toSeconds());
            });
    spec.reducer()
        .filter(r -> !kernels.exists(r))
        .ifPresent(
            r -> {
              throw Problem.badField(
                  "merge.kernel",
                  "no reducer kernel " + r + " has been uploaded (POST /api/kernels first)");
            });
    kernelGate.check(caller, spec.kernel(), spec.reducer());
    if (spec.compare().orElse(null) instanceof Comparison.Kernel validator) {
      if (!kernels.exists(validator.sha256())) {
        throw Problem.badField(
            "compare",
            "no validator kernel "
                + validator.sha256()
                + " has been uploaded (POST /api/kernels first)");
      }
      kernelGate.checkServerKernel(caller, validator.sha256(), "compare");
    }
    byte[] input =
        spec.input()
            .map(
                in ->
                    inputs
                        .bytesFor(caller, in.sha256())
                        .orElseThrow(
                            () ->
                                Problem.badField(
                                    "input.sha256",
                                    "no input "
                                        + in.sha256()
                                        + " has been uploaded by "
                                        + caller.name()
                                        + " (POST /api/inputs first)")))
            .orElse(null);
    var job =
        new Job(
                caller.name(),
                spec.name().orElse(null),
                spec.kernel(),
                spec.tasks(),
                spec.input().map(JobSpec.InputSpec::sha256).orElse(null),
                spec.input().map(JobSpec.InputSpec::split).orElse(null),
                toJson(spec.args()),
                toJson(spec.env()),
                spec.merge(),
                spec.reducer().orElse(null),
                spec.priority(),
                spec.deadline().orElse(null),
                spec.slurmJobId().orElse(null),
                clock.instant())
            .limitTasksTo(spec.taskTimeout());
    Verify verify = verifyFor(spec);
    job.verifyBy(
        verify.text(),
        verify.mode() == Verify.Mode.ADAPTIVE
            ? Optional.of(verify.targetError())
            : Optional.empty(),
        verify.compare().text());
    // Counted and stored under the user's lock; the audit entry commits with the job.
    quotas.submit(
        caller,
        spec.tasks(),
        () -> {
          db.run(
              s -> {
                s.persist(job);
                audit.record(s, caller, "job.submit", job.publicId(), describe(job));
                if (shared.on()) {
                  s.flush();
                  s.doWork(
                      c ->
                          shared.accepted(
                              c,
                              job.id(),
                              job.taskCount(),
                              job.priority(),
                              job.deadline().orElse(null)));
                }
              });
          return job;
        });
    if (shared.on()) {
      // Queued by whichever instances claim its tasks, this one first if it wants them.
      shared.submitted(job.id());
      LOG.info(() -> "accepted " + job.publicId() + " from " + caller.name() + " for the cluster");
      return view(job, Optional.empty(), shared.counts(job.id()));
    }
    DispatchJob planned = plan(job, input);
    dispatcher.submit(planned, new BitSet());
    dispatched.accept(planned);
    LOG.info(
        () ->
            "accepted "
                + job.publicId()
                + " from "
                + caller.name()
                + " ("
                + job.taskCount()
                + " tasks of kernel "
                + job.kernel().substring(0, 12)
                + ", merge "
                + job.mergeKind().name().toLowerCase()
                + ")");
    return view(job, dispatcher.progress(job.publicId()));
  }

  /** The job's verification: what it asked for, the server's default for the rest. */
  private Verify verifyFor(JobSpec spec) {
    String mode = spec.verify().orElse(defaultVerify.text());
    if (spec.verifyError().isPresent() && !mode.equals("adaptive")) {
      throw Problem.badField(
          "verifyError",
          "verifyError is the target of verify 'adaptive'; this server's default is '"
              + mode
              + "' (SURGE_VERIFY): say \"verify\": \"adaptive\"");
    }
    return Verify.parse(
        mode,
        spec.verifyError()
            .orElse(
                defaultVerify.mode() == Verify.Mode.ADAPTIVE ? defaultVerify.targetError() : 1e-4),
        spec.compare().orElse(defaultVerify.compare()));
  }

  public JobView status(Caller caller, String publicId) {
    Job job = find(caller, publicId);
    return view(job);
  }

  /** Live progress from this dispatcher, or, shared, from the claims every instance writes. */
  private JobView view(Job job) {
    if (shared.on()) {
      return view(
          job, Optional.empty(), job.state().ended() ? Optional.empty() : shared.counts(job.id()));
    }
    return view(job, dispatcher.progress(job.publicId()));
  }

  /**
   * Shared: this instance claimed tasks of a job it does not hold yet. Loads it as {@link #recover}
   * does; which of its tasks are queued here the dispatcher asks its claiming hook ({@link
   * surge.dispatch.TaskClaims#onSubmit}). The job's public id, or empty if it ended meanwhile.
   */
  public Optional<String> adopt(long jobId) {
    Job job = db.transaction(s -> s.find(Job.class, jobId));
    if (job == null || job.state().ended()) {
      return Optional.empty();
    }
    byte[] input = job.inputSha256().flatMap(inputs::bytes).orElse(null);
    DispatchJob planned = plan(job, input);
    dispatcher.submit(planned, new BitSet());
    dispatched.accept(planned);
    LOG.fine(() -> "adopted " + job.publicId());
    return Optional.of(job.publicId());
  }

  /** The newest jobs {@code caller} may see: their own, or every job for an operator. */
  public List<JobView> list(Caller caller, Optional<JobState> state, int limit) {
    String where =
        (state.isPresent() ? " and j.state = :state" : "")
            + (caller.operator() ? "" : " and j.owner = :owner");
    List<Job> jobs =
        db.transaction(
            s -> {
              var q =
                  s.createSelectionQuery(
                      "from Job j where 1 = 1" + where + " order by j.id desc", Job.class);
              state.ifPresent(st -> q.setParameter("state", st));
              if (!caller.operator()) {
                q.setParameter("owner", caller.name());
              }
              return q.setMaxResults(limit).getResultList();
            });
    return jobs.stream().map(this::view).toList();
  }

  public byte[] result(Caller caller, String publicId) {
    Job job = find(caller, publicId);
    if (job.state() != JobState.SUCCEEDED) {
      throw Problem.conflict(
          "job " + publicId + " is " + job.state() + "; its result exists once it has SUCCEEDED");
    }
    return db.transaction(s -> s.find(JobResult.class, job.id())).bytes();
  }

  public JobView cancel(Caller caller, String publicId, String reason) {
    Job job = find(caller, publicId);
    dispatcher.cancel(job.publicId(), reason);
    if (!job.state().ended()) {
      // Stored now, not only by the journal's next batch: until that commits, the dispatcher no
      // longer shows the job and the database still had it QUEUED, so a status read right after
      // the cancel went back to QUEUED. Job.cancel ignores an ended job, so the journal's own
      // write changes nothing, and a merge that finished first wins.
      db.run(
          s -> {
            s.find(Job.class, job.id()).cancel(reason, clock.instant());
            audit.record(s, caller, "job.cancel", job.publicId(), reason);
            if (shared.on()) {
              s.doWork(c -> shared.ended(c, job.id()));
            }
          });
    }
    return view(find(caller, publicId));
  }

  /** After a restart: queue again every task of every unfinished job that has no stored output. */
  public int recover() {
    List<Job> open =
        db.transaction(
            s ->
                s.createSelectionQuery(
                        "from Job j where j.state in (:states) order by j.id", Job.class)
                    .setParameter(
                        "states", List.of(JobState.QUEUED, JobState.RUNNING, JobState.MERGING))
                    .getResultList());
    for (Job job : open) {
      if (job.state() == JobState.MERGING) {
        merger.mergeLater(job.id());
        continue;
      }
      List<Integer> done =
          db.transaction(
              s ->
                  s.createSelectionQuery(
                          "select t.taskIndex from TaskOutput t where t.jobId = :job",
                          Integer.class)
                      .setParameter("job", job.id())
                      .getResultList());
      var doneSet = new BitSet(job.taskCount());
      done.forEach(doneSet::set);
      byte[] input = job.inputSha256().flatMap(inputs::bytes).orElse(null);
      DispatchJob planned = plan(job, input);
      dispatcher.submit(planned, doneSet);
      dispatched.accept(planned);
      LOG.info(
          () ->
              "recovered "
                  + job.publicId()
                  + ": "
                  + doneSet.cardinality()
                  + " of "
                  + job.taskCount()
                  + " tasks already done");
    }
    return open.size();
  }

  /**
   * The job with this whole public id that {@code caller} may see. A wrong random part and another
   * user's job answer the same 404 as a missing job, so ids cannot be probed.
   */
  private Job find(Caller caller, String publicId) {
    long id =
        Job.parseId(publicId)
            .orElseThrow(() -> Problem.notFound("'" + publicId + "' is not a job id (j-...)"));
    Job job = db.transaction(s -> s.find(Job.class, id));
    if (job == null
        || !job.hasPublicId(publicId)
        || !(caller.operator() || job.owner().map(caller::mayActOn).orElse(false))) {
      throw Problem.notFound("no job " + publicId);
    }
    return job;
  }

  /** What the audit log says of a submitted job. */
  private static String describe(Job job) {
    return job.taskCount()
        + " tasks of kernel "
        + job.kernel().substring(0, 12)
        + ", merge "
        + job.mergeKind().name().toLowerCase(java.util.Locale.ROOT)
        + Optional.ofNullable(job.name()).map(n -> ", name " + n).orElse("");
  }

  /** How the dispatcher builds task i of a stored job. */
  static DispatchJob plan(Job job, byte[] input) {
    List<String> args = stringList(job.argsJson());
    Map<String, String> env = stringMap(job.envJson());
    int n = job.taskCount();
    String count = Integer.toString(n);
    boolean templated = args.stream().anyMatch(a -> a.contains("{index}") || a.contains("{count}"));
    int[] bounds =
        input == null ? null : Split.bounds(input, job.split().orElseThrow(), job.taskCount());
    IntFunction<DispatchJob.Payload> payloads =
        i -> {
          String index = Integer.toString(i);
          List<String> a =
              templated
                  ? args.stream()
                      .map(s -> s.replace("{index}", index).replace("{count}", count))
                      .toList()
                  : args;
          Map<String, String> e = new HashMap<>(env);
          e.put("SURGE_TASK_INDEX", index);
          e.put("SURGE_TASK_COUNT", count);
          byte[] stdin =
              bounds == null ? EMPTY : Arrays.copyOfRange(input, bounds[i], bounds[i + 1]);
          return new DispatchJob.Payload(job.kernel(), a, e, stdin);
        };
    return new DispatchJob(
        job.publicId(),
        n,
        job.priority(),
        job.deadline(),
        job.id(),
        job.createdAt(),
        job.startedAt(),
        job.slurmJobId(),
        payloads,
        job.taskTimeout(),
        verifyOf(job),
        job.owner().orElse(""));
  }

  /** How a stored job's results are checked; jobs stored before verification take the first. */
  static Verify verifyOf(Job job) {
    if (job.verifyMode().isEmpty()) {
      return Verify.FIRST;
    }
    return Verify.parse(
        job.verifyMode().get(),
        job.verifyError().orElse(1e-4),
        Comparison.parse(job.verifyCompare().orElse("bytes")));
  }

  private static JobView view(Job job, Optional<JobProgress> live) {
    return view(job, live, Optional.empty());
  }

  private static JobView view(
      Job job, Optional<JobProgress> live, Optional<SharedState.TaskCounts> shared) {
    JobState state = job.state();
    int queued = shared.map(SharedState.TaskCounts::pending).orElse(0);
    int leased = shared.map(SharedState.TaskCounts::claimed).orElse(0);
    int done = shared.map(SharedState.TaskCounts::done).orElse(job.tasksDone());
    Optional<JobView.Error> error =
        job.errorMessage()
            .filter(m -> job.state() == JobState.FAILED || job.state() == JobState.CANCELLED)
            .map(
                m -> new JobView.Error(m, job.errorTask(), job.errorExitCode(), job.errorStderr()));
    if (live.isPresent() && !state.ended()) {
      // The dispatcher knows first; the database catches up with the journal's next batch.
      var p = live.get();
      state = JobState.valueOf(p.phase().name());
      queued = p.queued();
      leased = p.leased();
      done = p.done();
      if (p.failure().isPresent()) {
        var f = p.failure().get();
        error =
            Optional.of(
                new JobView.Error(
                    f.message(),
                    f.task().isPresent() ? Optional.of(f.task().getAsInt()) : Optional.empty(),
                    f.exitCode().isPresent()
                        ? Optional.of(f.exitCode().getAsInt())
                        : Optional.empty(),
                    f.stderrTail()));
      }
    }
    boolean oneTaskFailed = error.flatMap(JobView.Error::task).isPresent();
    return new JobView(
        job.publicId(),
        Optional.ofNullable(job.name()),
        state,
        job.taskCount(),
        queued,
        leased,
        done,
        oneTaskFailed ? 1 : 0,
        job.priority(),
        job.deadline(),
        job.slurmJobId(),
        job.createdAt(),
        live.flatMap(JobProgress::startedAt).or(job::startedAt),
        job.finishedAt(),
        job.resultSize(),
        error,
        job.owner(),
        live.map(JobProgress::verification)
            .filter(r -> job.verifyMode().isPresent())
            .or(() -> JobReports.load(job)));
  }

  private static String toJson(List<String> values) {
    var a = JSON.createArrayBuilder();
    values.forEach(a::add);
    return a.build().toString();
  }

  private static String toJson(Map<String, String> values) {
    var o = JSON.createObjectBuilder();
    values.forEach(o::add);
    return o.build().toString();
  }

  private static List<String> stringList(String json) {
    try (var r = JSON.createReader(new StringReader(json))) {
      JsonArray a = r.readArray();
      List<String> out = new ArrayList<>(a.size());
      a.forEach(v -> out.add(((JsonString) v).getString()));
      return List.copyOf(out);
    }
  }

  private static Map<String, String> stringMap(String json) {
    try (var r = JSON.createReader(new StringReader(json))) {
      JsonObject o = r.readObject();
      Map<String, String> out = new LinkedHashMap<>();
      o.forEach((k, v) -> out.put(k, ((JsonString) v).getString()));
      return out;
    }
  }
}
