package surge;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.admin.control.AdminLogin;
import surge.admin.control.LoginThrottle;
import surge.api.Hashes;
import surge.audit.control.Audit;
import surge.audit.entity.AuditEntry;
import surge.cluster.ClusterNode;
import surge.cluster.LocalQueue;
import surge.cluster.SharedLoginFailures;
import surge.config.Settings;
import surge.consent.control.ConsentTokens;
import surge.consent.control.Consents;
import surge.consent.control.Origins;
import surge.consent.control.Projects;
import surge.consent.entity.ConsentRecord;
import surge.consent.entity.DeclineCount;
import surge.dispatch.Comparison;
import surge.dispatch.DeadlineMissed;
import surge.dispatch.DispatchLimits;
import surge.dispatch.Dispatcher;
import surge.dispatch.Verify;
import surge.identity.control.AdminTokenFile;
import surge.identity.control.ApiTokens;
import surge.identity.control.Authenticator;
import surge.identity.control.Munge;
import surge.identity.control.SlurmJwt;
import surge.identity.control.VolunteerKeys;
import surge.identity.entity.ApiToken;
import surge.identity.entity.VolunteerKey;
import surge.jobs.control.EndedJobs;
import surge.jobs.control.Inputs;
import surge.jobs.control.Jobs;
import surge.jobs.control.Journal;
import surge.jobs.control.Merger;
import surge.jobs.control.SharedState;
import surge.jobs.entity.Input;
import surge.jobs.entity.InputUpload;
import surge.jobs.entity.Job;
import surge.jobs.entity.JobResult;
import surge.jobs.entity.TaskOutput;
import surge.kernels.control.Approvals;
import surge.kernels.control.KernelGate;
import surge.kernels.control.KernelLimits;
import surge.kernels.control.KernelRunner;
import surge.kernels.control.Kernels;
import surge.kernels.entity.Kernel;
import surge.kernels.entity.KernelApproval;
import surge.ops.control.DispatchLatency;
import surge.ops.control.Health;
import surge.ops.control.Metrics;
import surge.ops.control.Throughput;
import surge.persistence.Database;
import surge.persistence.Setting;
import surge.persistence.Vendor;
import surge.policies.DispatchPolicies;
import surge.policies.DispatchPolicy;
import surge.policies.KernelPolicies;
import surge.policies.RescuePolicies;
import surge.policies.RescuePolicy;
import surge.policies.RescueRules;
import surge.policies.VerificationPolicies;
import surge.policies.VerificationPolicy;
import surge.quotas.control.Quotas;
import surge.quotas.control.StoredUsage;
import surge.rescue.boundary.RescueSchedule;
import surge.rescue.control.HandBack;
import surge.rescue.control.Rescuer;
import surge.rescue.control.Rescues;
import surge.rescue.control.Slurm;
import surge.rescue.entity.Rescue;
import surge.verification.control.ServerRuns;
import surge.verification.control.StoredStandings;
import surge.verification.control.Validators;

/**
 * Makes the server's parts from the settings, in dependency order, and owns their threads; nothing
 * else. In the deployed application {@link Surge} starts one and {@link Parts} hands each part to
 * the container, so a boundary {@code @Inject}s the one control it uses; tests start one directly.
 * The fields are package-private: only the wiring (and its tests) sees them all.
 */
public final class Server implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Server.class.getName());
  static final List<Class<?>> ENTITIES =
      List.of(
          Kernel.class,
          KernelApproval.class,
          Input.class,
          InputUpload.class,
          Job.class,
          TaskOutput.class,
          surge.verification.entity.VolunteerStanding.class,
          JobResult.class,
          Setting.class,
          Rescue.class,
          ConsentRecord.class,
          DeclineCount.class,
          ApiToken.class,
          VolunteerKey.class,
          AuditEntry.class,
          surge.cluster.ClusterInstance.class,
          surge.cluster.TaskClaim.class,
          surge.cluster.MergeClaim.class);

  /** How often the dashboard's throughput is sampled, and how many samples are kept (1 hour). */
  private static final Duration THROUGHPUT_EVERY = Duration.ofSeconds(5);

  private static final int THROUGHPUT_SAMPLES = 720;

  /** Tasks claimed in one statement when SURGE_CLUSTER=on (docs/scale-out.md). */
  private static final int CLAIM_BATCH = 64;

  /** Present when SURGE_CLUSTER=on. */
  private final Optional<ClusterNode> cluster;

  final Settings settings;
  final Database db;
  final Kernels kernels;

  /** The operators' kernel approvals, and the policy (SURGE_KERNEL_POLICY) that reads them. */
  final Approvals approvals;

  final KernelGate kernelGate;
  final Inputs inputs;
  final Dispatcher dispatcher;
  final Journal journal;
  final Merger merger;
  final Jobs jobs;
  final Consents consents;

  /** Who did what: submits, cancels, approvals, credentials, dashboard logins. */
  final Audit audit;

  /** Per-user quotas and the submission rate (SURGE_QUOTA_*, SURGE_RATE_SUBMITS). */
  final Quotas quotas;

  /** SURGE_ALLOWED_ORIGINS: the web pages that may obtain consent and volunteer. */
  final Origins origins;

  final Metrics metrics;
  final Throughput throughput;

  /** Database, journal and dispatcher each working (/health). */
  final Health health;

  /** API tokens (only their hashes are stored). */
  final ApiTokens tokens;

  /** Keys of the centre's own volunteer machines. */
  final VolunteerKeys volunteerKeys;

  /** Who is calling: API tokens, Slurm JWT, MUNGE, the dashboard's password. */
  final Authenticator authenticator;

  private final AdminLogin adminLogin;

  /** Present when SURGE_RESCUE_PARTITIONS names partitions to watch. */
  final Optional<Rescuer> rescuer;

  private final Optional<HandBack> handBack;

  /** SURGE_RESCUE_POLICY, with the SURGE_RESCUE_* rules. */
  private final RescuePolicy rescuePolicy;

  private final Optional<RescueSchedule> rescueSchedule;
  private final KernelRunner runner;
  private final ScheduledExecutorService ticker;

  /** Volunteers' verification records (docs/verification.md). */
  final StoredStandings standings;

  /** How far volunteers are believed. */
  final VerificationPolicy verificationPolicy;

  /** A job's verification when it names none (SURGE_VERIFY). */
  final Verify defaultVerify;

  private final ServerRuns serverRuns;
  private final Validators validators;

  private Server(Settings settings) {
    this.settings = settings;
    Clock clock = Clock.systemUTC();
    this.db = Database.open(settings.dbUrl(), settings.dbUser(), settings.dbPassword(), ENTITIES);
    this.audit = new Audit(db, clock, settings.auditRetention(), System::nanoTime);
    this.quotas = new Quotas(settings.quotas(), new StoredUsage(db), System::nanoTime);
    this.kernels = new Kernels(db, settings.maxKernelBytes(), kernelLimits(settings.wasm()), clock);
    this.inputs = new Inputs(db, settings.maxInputBytes(), clock, quotas);
    this.approvals = new Approvals(db, kernels, clock, audit);
    this.kernelGate =
        new KernelGate(
            KernelPolicies.named(settings.wasm().kernelPolicy(), Server.class.getClassLoader()),
            approvals);
    // A reducer's stdout becomes the job's result, which is held in memory like its stdin.
    this.runner =
        new KernelRunner(settings.wasm().reduceMemoryBytes(), settings.wasm().reduceMemoryBytes());
    this.rescueSchedule =
        settings.rescue().enabled() ? Optional.of(rescueSchedule(settings)) : Optional.empty();
    var rescues = rescueSchedule.map(timer -> new Rescues(db));
    // Chosen even when rescue is off, so a wrong name is found at the first start.
    this.rescuePolicy = rescuePolicy(settings.rescue());
    var slurm = Slurm.commands(settings.rescue().slurmConf(), Duration.ofSeconds(30));
    this.rescuer =
        rescueSchedule.map(
            timer ->
                new Rescuer(
                    slurm,
                    rescuePolicy,
                    rescues.orElseThrow(),
                    settings.rescue().partitions(),
                    settings.rescue().target(),
                    clock,
                    timer));
    this.handBack =
        rescueSchedule.map(
            timer ->
                new HandBack(
                    slurm, rescues.orElseThrow(), settings.rescue().handBackWait(), clock, timer));
    // The journal and merger tell the dispatcher, made after them, which jobs it may forget.
    var ended = new EndedJobs();
    this.merger =
        new Merger(
            db,
            kernels,
            runner,
            settings.reduceTimeout(),
            settings.wasm().mergeWorkers(),
            settings.wasm().mergeQueue(),
            clock,
            ended,
            (job, bytes) ->
                job.owner()
                    .flatMap(owner -> quotas.resultRefusal(owner, bytes))
                    .map(Throwable::getMessage));
    // SURGE_CLUSTER=on: tasks, results and merges are shared with the other instances.
    this.cluster =
        settings.cluster().on()
            ? Optional.of(
                new ClusterNode(
                    db,
                    settings.cluster().name(),
                    new ClusterNode.Timing(
                        settings.cluster().lease(),
                        settings.cluster().lease().dividedBy(3),
                        Duration.ofSeconds(1),
                        CLAIM_BATCH)))
            : Optional.empty();
    SharedState shared = cluster.<SharedState>map(c -> c).orElse(SharedState.NONE);
    merger.share(shared);
    this.journal = new Journal(db, clock, merger::mergeLater, ended, shared);
    var latency = new DispatchLatency();
    this.defaultVerify = defaultVerify(settings.verification());
    this.verificationPolicy =
        VerificationPolicies.named(settings.verification().policy(), Server.class.getClassLoader());
    this.standings = new StoredStandings(db, clock, audit);
    this.validators =
        new Validators(
            kernels::bytes,
            new KernelRunner(settings.wasm().reduceMemoryBytes(), 1 << 20),
            settings.reduceTimeout(),
            settings.wasm().mergeWorkers(),
            settings.wasm().mergeQueue());
    this.dispatcher =
        new Dispatcher(
            policy(settings),
            journal,
            clock::millis,
            settings.heartbeat().toMillis(),
            settings.maxAttempts(),
            latency::dispatched,
            handBack.<DeadlineMissed>map(h -> h::deadlineMissed).orElse(job -> Optional.empty()),
            dispatchLimits(settings.volunteerLimits(), settings.checkpoints()),
            verificationPolicy,
            standings,
            validators);
    ended.listen(dispatcher::forgetSequence);
    this.serverRuns =
        new ServerRuns(
            kernels,
            new KernelRunner(
                settings.wasm().reduceMemoryBytes(), settings.volunteerLimits().maxOutputBytes()),
            dispatcher,
            settings.verification().spotCheckPool(),
            settings.verification().serverRunTimeout());
    this.metrics = new Metrics(dispatcher::stats, journal::pending, latency);
    metrics.countTailCopies(dispatcher::tailStats);
    metrics.gaugeDwellFit(dispatcher.policy());
    metrics.countCheckpoints(dispatcher::checkpointStats);
    metrics.countVerification(
        dispatcher::totals,
        () ->
            dispatcher.connectedStandings().stream()
                .mapToDouble(st -> verificationPolicy.credibility(st.history()))
                .toArray());
    rescuer.ifPresent(
        r ->
            metrics.countRescues(
                r::movedCount, r::refusedCount, handBack.orElseThrow()::handedBackCount));
    this.jobs =
        new Jobs(
            db,
            kernels,
            kernelGate,
            inputs,
            dispatcher,
            merger,
            clock,
            settings.maxTasks(),
            quotas,
            audit,
            defaultVerify,
            job -> serverRuns.plan(job));
    jobs.share(shared);
    this.origins = new Origins(settings.allowedOrigins());
    this.consents =
        new Consents(
            db,
            new ConsentTokens(consentKey(), settings.consentTtl(), clock),
            Projects.of(settings.centre(), settings.projectsFile()),
            clock);
    this.adminLogin =
        new AdminLogin(
            settings.adminPassword(),
            // Several instances: failures counted in the database, so N instances are not N
            // times the guessing rate of one.
            LoginThrottle.standard(
                clock::millis, cluster.map(c -> new SharedLoginFailures(db)).orElse(null)));
    this.tokens = new ApiTokens(db, clock);
    this.volunteerKeys = new VolunteerKeys(db, clock);
    var identity = settings.identity();
    identity.adminToken().ifPresent(AdminTokenFile::checkGiven);
    this.authenticator =
        new Authenticator(
            tokens,
            identity.adminToken(),
            SlurmJwt.fromFiles(identity.jwtKey(), identity.jwks(), clock),
            Munge.of(identity.mungeSocket()),
            adminLogin,
            identity.operators());
    this.health = new Health(db::ping, journal::healthy, dispatcher::stats, clock::millis);
    this.throughput =
        new Throughput(
            () -> dispatcher.stats().completedTotal(), clock::millis, THROUGHPUT_SAMPLES);
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "surge-dispatch-ticker");
              t.setDaemon(true);
              return t;
            });
  }

  /** Opens the database, recovers unfinished jobs and starts dispatching. */
  public static Server start(Settings settings) {
    var server = new Server(settings);
    server.journal.start();
    // Shared: the cluster poller claims unfinished jobs' tasks, whichever instance stored them.
    int recovered = server.cluster.isPresent() ? 0 : server.jobs.recover();
    server.cluster.ifPresent(
        c -> {
          // One path for claimed tasks: the dispatcher's claiming hook, set before any job.
          var local =
              new LocalQueue(
                  server.db,
                  server.dispatcher,
                  server.jobs,
                  server.merger,
                  CLAIM_BATCH,
                  c::poke,
                  c::handBack);
          server.dispatcher.claimsFrom(local);
          c.start(local);
        });
    server.ticker.scheduleWithFixedDelay(
        () -> {
          try {
            server.dispatcher.tick();
          } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "dispatcher tick failed", e);
          }
        },
        200,
        200,
        TimeUnit.MILLISECONDS);
    server.ticker.scheduleWithFixedDelay(
        () -> {
          try {
            server.standings.flush();
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "storing volunteer standings failed", e);
          }
        },
        1,
        1,
        TimeUnit.SECONDS);
    server.ticker.scheduleAtFixedRate(
        server.throughput::sample, 0, THROUGHPUT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    // On the ticker: one indexed delete a day, milliseconds, does not hold up dispatching.
    server.ticker.scheduleAtFixedRate(
        () -> {
          try {
            server.audit.purge();
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "purging the audit log failed; trying again tomorrow", e);
          }
        },
        1,
        Duration.ofDays(1).toMinutes(),
        TimeUnit.MINUTES);
    LOG.info(
        () ->
            server.origins.none()
                ? "SURGE_ALLOWED_ORIGINS is not set: no web page may obtain consent or volunteer"
                    + " (headless volunteers, which send no Origin, still may)"
                : "web pages of " + server.origins + " may obtain consent and volunteer");
    server.logCredentials();
    server.rescueSchedule.ifPresent(
        schedule ->
            schedule.start(
                server.rescuer.orElseThrow(),
                server.handBack.orElseThrow(),
                settings.rescue().poll()));
    server.rescuer.ifPresent(
        r ->
            LOG.info(
                () ->
                    "rescue: watching the pending jobs of "
                        + settings.rescue().partitions()
                        + " every "
                        + settings.rescue().poll()
                        + ", moving them to "
                        + settings.rescue().target()
                        + " under "
                        + server.rescuePolicy));
    LOG.info(
        () ->
            "Surge started on "
                + server.db.url().replaceAll("password=[^;&]*", "password=***")
                + " with "
                + server.dispatcher.policy()
                + " and the "
                + server.kernelGate.policy()
                + "; "
                + recovered
                + " unfinished jobs recovered");
    return server;
  }

  /** Makes the first operator token if needed and says where it is (never what it is). */
  private void logCredentials() {
    var identity = settings.identity();
    if (identity.adminToken().isPresent()) {
      LOG.info("operator token: SURGE_ADMIN_TOKEN");
    } else {
      var written = AdminTokenFile.ensure(settings.dataDir(), tokens);
      LOG.info(
          () ->
              (written.isPresent() ? "wrote a new operator token to " : "operator token in ")
                  + settings.dataDir().resolve(AdminTokenFile.NAME)
                  + " (mode 0600; send it as Authorization: Bearer)");
    }
    LOG.info(
        () ->
            "credentials accepted: API tokens"
                + (identity.mungeSocket().isPresent()
                    ? ", MUNGE through " + identity.mungeSocket().get()
                    : "")
                + (identity.jwtKey().isPresent() || identity.jwks().isPresent()
                    ? ", Slurm JWT"
                    : "")
                + (adminLogin.passwordSet()
                    ? "; the dashboard (/admin/) takes SURGE_ADMIN_PASSWORD or an operator token"
                    : "; the dashboard (/admin/) takes an operator token as its password"));
  }

  static DispatchPolicy policy(Settings s) {
    return DispatchPolicies.named(
        s.dispatchMode(), s.tasksPerWorker(), s.lease(), Server.class.getClassLoader());
  }

  static KernelLimits kernelLimits(Settings.Wasm w) {
    return new KernelLimits(w.maxMemoryBytes(), w.maxFunctions(), w.maxCodeBytes());
  }

  static DispatchLimits dispatchLimits(Settings.VolunteerLimits l, Settings.Checkpoints c) {
    return dispatchLimits(l)
        .withCheckpoints(c.interval().toMillis(), c.maxBytes(), c.memoryBytes());
  }

  static DispatchLimits dispatchLimits(Settings.VolunteerLimits l) {
    return new DispatchLimits(
        l.newVolunteerTasks(),
        l.maxVolunteerTasks(),
        l.taskTimeout(),
        l.maxTaskTimeout(),
        l.maxOutputBytes(),
        l.maxFailures());
  }

  /**
   * On PostgreSQL the rescuer's timers are shared by every instance on the database (Quartz
   * clustered); on H2 there is one instance, and they stay in memory.
   */
  private static RescueSchedule rescueSchedule(Settings settings) {
    return switch (Vendor.of(settings.dbUrl())) {
      case H2 -> RescueSchedule.inMemory();
      case POSTGRESQL ->
          RescueSchedule.clustered(
              settings.dbUrl(), settings.dbUser(), settings.dbPassword(), "AUTO");
    };
  }

  static RescuePolicy rescuePolicy(Settings.Rescue r) {
    return RescuePolicies.named(
        r.policy(),
        new RescueRules(r.users(), r.deniedUsers(), r.maxTasks(), r.maxCpus(), r.kernels()),
        Server.class.getClassLoader());
  }

  /** From SURGE_CONSENT_SECRET, or a random key generated once and kept in the database. */
  private byte[] consentKey() {
    if (settings.consentSecret().isPresent()) {
      String secret = settings.consentSecret().get();
      if (secret.length() < 16) {
        throw new IllegalArgumentException("SURGE_CONSENT_SECRET must have at least 16 characters");
      }
      return Hashes.sha256(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
    return db.transaction(
        s -> {
          Setting existing = s.find(Setting.class, "consent.key");
          if (existing != null) {
            return Base64.getDecoder().decode(existing.value());
          }
          byte[] key = new byte[32];
          new SecureRandom().nextBytes(key);
          s.persist(new Setting("consent.key", Base64.getEncoder().encodeToString(key)));
          return key;
        });
  }

  /** SURGE_VERIFY, SURGE_VERIFY_ERROR and SURGE_VERIFY_COMPARE as one {@link Verify}. */
  static Verify defaultVerify(Settings.Verification v) {
    try {
      return Verify.parse(v.mode(), v.targetError(), Comparison.parse(v.compare()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "SURGE_VERIFY / SURGE_VERIFY_ERROR / SURGE_VERIFY_COMPARE: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    rescueSchedule.ifPresent(RescueSchedule::close);
    ticker.shutdownNow();
    serverRuns.close();
    validators.close();
    standings.flush();
    journal.close();
    merger.close();
    // After the journal's last batch: what is still claimed goes back to the other instances.
    cluster.ifPresent(ClusterNode::close);
    runner.close();
    db.close();
  }
}
