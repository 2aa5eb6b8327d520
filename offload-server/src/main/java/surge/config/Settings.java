package surge.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;

/**
 * The server's configuration, read once at start through MicroProfile Config ({@link
 * #from(Config)}): each setting is the property {@code surge.db.url}, which MicroProfile Config
 * also finds as the environment variable {@code SURGE_DB_URL} (and as the system property {@code
 * -Dsurge.db.url=...}). The bounds, defaults and messages are checked here, so a bad value stops
 * the server naming the variable. The README's configuration table lists them all; keep the two in
 * step.
 */
public record Settings(
    Path dataDir,
    String dbUrl,
    String dbUser,
    String dbPassword,
    Duration lease,
    Duration heartbeat,
    int tasksPerWorker,
    String dispatchMode,
    int maxAttempts,
    int maxMessageBytes,
    long maxKernelBytes,
    long maxInputBytes,
    int maxTasks,
    Optional<String> consentSecret,
    Duration consentTtl,
    Duration reduceTimeout,
    List<String> allowedOrigins,
    Optional<String> adminPassword,
    String centre,
    Optional<Path> projectsFile,
    Rescue rescue,
    long maxJsonBytes,
    Identity identity,
    Quotas quotas,
    Duration auditRetention,
    Wasm wasm,
    VolunteerLimits volunteerLimits,
    Verification verification,
    Checkpoints checkpoints,
    Cluster cluster) {

  /**
   * Several instances on one PostgreSQL (docs/scale-out.md, "Shared state").
   *
   * @param on SURGE_CLUSTER: {@code on} shares tasks, results and merges through the database;
   *     {@code off} (the default) keeps them in this instance, as on H2
   * @param lease SURGE_CLUSTER_LEASE: how long an instance's claims outlive its last renewal
   *     (renewed every third of it); a dead instance's tasks run again after about this long
   * @param name SURGE_INSTANCE_NAME: how this instance appears in the instances table
   */
  public record Cluster(boolean on, Duration lease, String name) {}

  /**
   * Checkpoints of running tasks (docs/checkpoints.md).
   *
   * @param interval SURGE_CHECKPOINT_INTERVAL: how often kernels save one (the welcome's {@code
   *     checkpointMs}); the server keeps at most one per lease per half of it
   * @param maxBytes SURGE_CHECKPOINT_MAX_BYTES: the largest checkpoint kept
   * @param memoryBytes SURGE_CHECKPOINT_MEMORY: all checkpoints kept at once, the oldest dropped
   *     first; 0 turns checkpoints off
   */
  public record Checkpoints(Duration interval, int maxBytes, long memoryBytes) {}

  /**
   * How callers prove who they are (README: "Authentication").
   *
   * @param adminToken SURGE_ADMIN_TOKEN: an operator token given by the operator; empty: the server
   *     writes one to {@code $SURGE_DATA_DIR/admin-token} on its first start
   * @param mungeSocket SURGE_MUNGE_SOCKET: munged's socket; empty: MUNGE credentials are refused
   * @param jwtKey SURGE_JWT_KEY: Slurm's {@code jwt_hs256.key}; empty: no HS256 JWT
   * @param jwks SURGE_JWKS: a JWKS file of RS256 keys; empty: no RS256 JWT
   * @param operators SURGE_OPERATORS: users who are operators when they log in by MUNGE or JWT
   */
  public record Identity(
      Optional<String> adminToken,
      Optional<Path> mungeSocket,
      Optional<Path> jwtKey,
      Optional<Path> jwks,
      Set<String> operators) {}

  /**
   * Per-user limits (README: "Quotas"), checked before the work; operators are exempt. {@link
   * Long#MAX_VALUE} where the setting says {@code off}.
   *
   * @param jobs most unfinished (queued, running, merging) jobs of one user
   * @param tasks most queued (not yet done) tasks over a user's unfinished jobs
   * @param inputBytes most bytes of stored inputs one user owns
   * @param resultBytes most bytes of stored results of one user's jobs
   * @param submits job submissions and new uploads per user; empty: no limit
   */
  public record Quotas(
      long jobs, long tasks, long inputBytes, long resultBytes, Optional<Rate> submits) {}

  /**
   * Limits on kernels and on the WebAssembly the server runs itself (README: "Kernels"), and which
   * kernels may be submitted.
   *
   * @param maxMemoryBytes most memory a kernel may declare (initial, and maximum when declared)
   * @param maxFunctions most functions a kernel may define
   * @param maxCodeBytes largest code section a kernel may have (validation holds about 50 bytes of
   *     heap per code byte)
   * @param reduceMemoryBytes most memory a reducer kernel may use on the server
   * @param mergeWorkers threads merging jobs (and running reducer kernels), per kind of merge
   * @param mergeQueue merges waiting for a worker before another is refused
   * @param kernelPolicy the name of the kernel policy: {@code approved}, {@code any-user}, or one a
   *     centre plugged in
   */
  public record Wasm(
      long maxMemoryBytes,
      int maxFunctions,
      long maxCodeBytes,
      long reduceMemoryBytes,
      int mergeWorkers,
      int mergeQueue,
      String kernelPolicy) {}

  /**
   * What one volunteer may hold and each task may take (README: "Limits on volunteers").
   *
   * @param newVolunteerTasks tasks a volunteer may hold before it has returned a result
   * @param maxVolunteerTasks tasks any volunteer may hold at most, whatever it claims
   * @param taskTimeout a task's wall-time limit when its job sets none
   * @param maxTaskTimeout the longest {@code taskTimeout} a job may set
   * @param maxOutputBytes the largest stdout a task may return
   * @param maxFailures distinct volunteers that must fail a task before its job fails
   */
  public record VolunteerLimits(
      int newVolunteerTasks,
      int maxVolunteerTasks,
      Duration taskTimeout,
      Duration maxTaskTimeout,
      int maxOutputBytes,
      int maxFailures) {}

  /**
   * How results are checked (docs/verification.md).
   *
   * @param mode a job's verification when it names none: adaptive, replicate=N or none
   * @param targetError an adaptive job's target error rate when it names none
   * @param compare how results are compared when a job names no way: bytes or numeric:REL
   * @param policy the name of the verification policy ({@code credibility}, or a centre's own)
   * @param spotCheckPool tasks of each adaptive job the server computes itself, as known answers
   * @param serverRunTimeout the longest one of those runs may take before it is given up
   */
  public record Verification(
      String mode,
      double targetError,
      String compare,
      String policy,
      int spotCheckPool,
      Duration serverRunTimeout) {}

  /**
   * The rescuer's settings (README: "Rescue"). No watched partition: rescue is off.
   *
   * @param partitions the partitions whose pending jobs may be rescued; empty: rescue is off
   * @param target the volunteer partition jobs are moved to
   * @param poll how often the pending jobs of the watched partitions are listed
   * @param slurmConf the {@code SLURM_CONF} given to squeue and scontrol; empty: the server's own
   * @param users users who may be rescued; empty: all but the denied
   * @param deniedUsers users never rescued
   * @param maxTasks most tasks of a rescued job; 0: no limit
   * @param maxCpus most Slurm CPUs of a rescued job; 0: no limit
   * @param kernels kernels allowed (file names or SHA-256); empty: any
   * @param handBackWait how long a hand-back waits for the launcher to end before requeueing
   * @param policy SURGE_RESCUE_POLICY: the rescue policy's name ({@code rules}, or a centre's own)
   */
  public record Rescue(
      List<String> partitions,
      String target,
      Duration poll,
      Optional<String> slurmConf,
      Set<String> users,
      Set<String> deniedUsers,
      int maxTasks,
      int maxCpus,
      Set<String> kernels,
      Duration handBackWait,
      String policy) {
    public boolean enabled() {
      return !partitions.isEmpty();
    }
  }

  /**
   * Reads the settings from MicroProfile Config: {@code SURGE_HEARTBEAT} is looked up as the
   * property {@code surge.heartbeat}, which its environment source maps back to the variable. Raw
   * values: a {@code $} in a password is not taken for a property expression.
   */
  public static Settings from(Config config) {
    return from(
        key -> {
          String name = key.startsWith("SURGE_") ? property(key) : key;
          return Optional.ofNullable(config.getConfigValue(name).getRawValue());
        });
  }

  /** Reads the settings from the given variables, then system properties (for tests and tools). */
  public static Settings from(Map<String, String> env, Function<String, String> properties) {
    return from(
        key -> {
          String value = env.get(key);
          if ((value == null || value.isBlank()) && key.startsWith("SURGE_")) {
            value = properties.apply(property(key));
          }
          return Optional.ofNullable(value);
        });
  }

  /** The property a variable is read as: {@code SURGE_DB_URL} is {@code surge.db.url}. */
  public static String property(String variable) {
    return variable.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
  }

  private static Settings from(Function<String, Optional<String>> lookup) {
    var source = new Source(lookup);
    Path dataDir = Path.of(source.get("SURGE_DATA_DIR").orElse(".surge")).toAbsolutePath();
    String defaultUrl =
        "jdbc:h2:file:" + dataDir.resolve("surge") + ";WRITE_DELAY=0;OPTIMIZE_REUSE_RESULTS=FALSE";
    return new Settings(
        dataDir,
        source.get("SURGE_DB_URL").orElse(defaultUrl),
        source.get("SURGE_DB_USER").orElse("surge"),
        source.get("SURGE_DB_PASSWORD").orElse(""),
        source.duration("SURGE_LEASE", Duration.ofSeconds(30)),
        source.duration("SURGE_HEARTBEAT", Duration.ofSeconds(5)),
        source.integer("SURGE_TASKS_PER_WORKER", 4, 1, 10_000),
        // Any name: the policies found on the class path are known only at start (Server.policy).
        source.get("SURGE_DISPATCH_MODE").orElse("async"),
        source.integer("SURGE_MAX_ATTEMPTS", 5, 1, 1000),
        source.integer("SURGE_MAX_MESSAGE_BYTES", 4 << 20, 1024, 256 << 20),
        source.integer("SURGE_MAX_KERNEL_BYTES", 16 << 20, 64, Integer.MAX_VALUE),
        source.integer("SURGE_MAX_INPUT_BYTES", 64 << 20, 1, Integer.MAX_VALUE),
        source.integer("SURGE_MAX_TASKS", 1_000_000, 1, 100_000_000),
        source.get("SURGE_CONSENT_SECRET"),
        source.duration("SURGE_CONSENT_TTL", Duration.ofDays(30)),
        source.duration("SURGE_REDUCE_TIMEOUT", Duration.ofSeconds(60)),
        source.list("SURGE_ALLOWED_ORIGINS"),
        source.get("SURGE_ADMIN_PASSWORD"),
        source.get("SURGE_CENTRE").orElse("Surge demo centre"),
        source.get("SURGE_PROJECTS").map(Path::of),
        rescue(source),
        source.integer("SURGE_MAX_JSON_BYTES", 1 << 20, 64, 256 << 20),
        new Identity(
            source.get("SURGE_ADMIN_TOKEN"),
            source.get("SURGE_MUNGE_SOCKET").map(Path::of),
            source.get("SURGE_JWT_KEY").map(Path::of),
            source.get("SURGE_JWKS").map(Path::of),
            Set.copyOf(source.list("SURGE_OPERATORS"))),
        new Quotas(
            source.limit("SURGE_QUOTA_JOBS", 1000, false),
            source.limit("SURGE_QUOTA_TASKS", 10_000_000, false),
            source.limit("SURGE_QUOTA_INPUT_BYTES", 10L << 30, true),
            source.limit("SURGE_QUOTA_RESULT_BYTES", 10L << 30, true),
            source.rate("SURGE_RATE_SUBMITS", "600/min")),
        source.duration("SURGE_AUDIT_RETENTION", Duration.ofDays(365)),
        wasm(source),
        volunteerLimits(source),
        verification(source),
        new Checkpoints(
            source.duration("SURGE_CHECKPOINT_INTERVAL", Duration.ofSeconds(2)),
            (int) source.bytes("SURGE_CHECKPOINT_MAX_BYTES", 1L << 20, 64, 64L << 20),
            source.bytes("SURGE_CHECKPOINT_MEMORY", 64L << 20, 0, 1L << 40)),
        cluster(source, source.get("SURGE_DB_URL").orElse(defaultUrl)));
  }

  private static Cluster cluster(Source source, String dbUrl) {
    String on = source.get("SURGE_CLUSTER").orElse("off").trim().toLowerCase(java.util.Locale.ROOT);
    if (!on.equals("on") && !on.equals("off")) {
      throw new IllegalArgumentException("SURGE_CLUSTER must be on or off, got '" + on + "'");
    }
    if (on.equals("on") && !dbUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "SURGE_CLUSTER=on needs PostgreSQL, which every instance shares"
              + " (SURGE_DB_URL=jdbc:postgresql://...); this SURGE_DB_URL is not one");
    }
    Duration lease = source.duration("SURGE_CLUSTER_LEASE", Duration.ofSeconds(6));
    if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "SURGE_CLUSTER_LEASE must be at least 1 second, got " + lease.toMillis() + " ms");
    }
    String name =
        source
            .get("SURGE_INSTANCE_NAME")
            .orElseGet(
                () -> {
                  String host;
                  try {
                    host = java.net.InetAddress.getLocalHost().getHostName();
                  } catch (java.io.IOException e) {
                    host = "localhost";
                  }
                  return host + ":" + ProcessHandle.current().pid();
                });
    return new Cluster(on.equals("on"), lease, name);
  }

  private static Verification verification(Source source) {
    String error = source.get("SURGE_VERIFY_ERROR").orElse("1e-4");
    double e;
    try {
      e = Double.parseDouble(error);
    } catch (NumberFormatException ex) {
      throw new IllegalArgumentException(
          "SURGE_VERIFY_ERROR must be a number such as 1e-4, got '" + error + "'");
    }
    return new Verification(
        source.get("SURGE_VERIFY").orElse("adaptive"),
        e,
        source.get("SURGE_VERIFY_COMPARE").orElse("bytes"),
        source.get("SURGE_VERIFICATION_POLICY").orElse("credibility"),
        source.integer("SURGE_SPOT_CHECK_POOL", 8, 0, surge.dispatch.Verify.MAX_KNOWN_ANSWERS),
        source.duration("SURGE_SERVER_RUN_TIMEOUT", Duration.ofSeconds(30)));
  }

  private static Wasm wasm(Source source) {
    long fourGiB = 1L << 32; // what wasm32 can address at all
    return new Wasm(
        source.bytes("SURGE_MAX_KERNEL_MEMORY", 256L << 20, 64 << 10, fourGiB),
        source.integer("SURGE_MAX_KERNEL_FUNCTIONS", 100_000, 1, 1_000_000),
        source.bytes("SURGE_MAX_KERNEL_CODE_BYTES", 4L << 20, 1024, 256L << 20),
        source.bytes("SURGE_REDUCE_MEMORY", 256L << 20, 64 << 10, fourGiB),
        source.integer("SURGE_MERGE_WORKERS", 2, 1, 256),
        source.integer("SURGE_MERGE_QUEUE", 10_000, 1, 10_000_000),
        source.get("SURGE_KERNEL_POLICY").orElse("approved"));
  }

  private static VolunteerLimits volunteerLimits(Source source) {
    int maxTasks = source.integer("SURGE_MAX_VOLUNTEER_TASKS", 512, 1, 1_000_000);
    int newTasks = source.integer("SURGE_NEW_VOLUNTEER_TASKS", Math.min(8, maxTasks), 1, maxTasks);
    Duration maxTimeout = source.duration("SURGE_MAX_TASK_TIMEOUT", Duration.ofHours(6));
    Duration timeout = source.duration("SURGE_TASK_TIMEOUT", Duration.ofMinutes(10));
    if (timeout.compareTo(maxTimeout) > 0) {
      throw new IllegalArgumentException(
          "SURGE_TASK_TIMEOUT ("
              + timeout
              + ") must not exceed SURGE_MAX_TASK_TIMEOUT ("
              + maxTimeout
              + ")");
    }
    return new VolunteerLimits(
        newTasks,
        maxTasks,
        timeout,
        maxTimeout,
        source.integer("SURGE_MAX_OUTPUT_BYTES", 16 << 20, 0, Integer.MAX_VALUE),
        source.integer("SURGE_MAX_FAILURES", 3, 1, 1000));
  }

  private static Rescue rescue(Source source) {
    List<String> partitions = source.list("SURGE_RESCUE_PARTITIONS");
    String target = source.get("SURGE_RESCUE_TARGET").orElse("volunteer");
    if (partitions.contains(target)) {
      throw new IllegalArgumentException(
          "SURGE_RESCUE_PARTITIONS must not hold the target partition " + target);
    }
    return new Rescue(
        partitions,
        target,
        source.duration("SURGE_RESCUE_POLL", Duration.ofSeconds(5)),
        source.get("SURGE_SLURM_CONF").or(() -> source.get("SLURM_CONF")),
        Set.copyOf(source.list("SURGE_RESCUE_USERS")),
        Set.copyOf(source.list("SURGE_RESCUE_DENY_USERS")),
        source.integer("SURGE_RESCUE_MAX_TASKS", 0, 0, Integer.MAX_VALUE),
        source.integer("SURGE_RESCUE_MAX_CPUS", 0, 0, Integer.MAX_VALUE),
        Set.copyOf(source.list("SURGE_RESCUE_KERNELS")),
        source.duration("SURGE_RESCUE_HANDBACK_WAIT", Duration.ofSeconds(30)),
        source.get("SURGE_RESCUE_POLICY").orElse("rules"));
  }

  /** Looks a variable up; a blank value is no value. */
  private record Source(Function<String, Optional<String>> lookup) {
    Optional<String> get(String key) {
      return lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** A comma-separated list; blanks around items are dropped. */
    List<String> list(String key) {
      return get(key)
          .map(
              v ->
                  Arrays.stream(v.split(","))
                      .map(String::trim)
                      .filter(x -> !x.isEmpty())
                      .distinct()
                      .toList())
          .orElse(List.of());
    }

    int integer(String key, int fallback, int min, int max) {
      return get(key)
          .map(
              v -> {
                try {
                  int n = Integer.parseInt(v.replace("_", ""));
                  if (n < min || n > max) {
                    throw new IllegalArgumentException(
                        key + " must be between " + min + " and " + max + ", got " + n);
                  }
                  return n;
                } catch (NumberFormatException e) {
                  throw new IllegalArgumentException(key + " must be a whole number, got " + v);
                }
              })
          .orElse(fallback);
    }

    /** A size in bytes: {@code 268435456}, {@code 256MiB}, {@code 64KiB}, {@code 1GiB}. */
    long bytes(String key, long fallback, long min, long max) {
      return get(key)
          .map(
              v -> {
                var m =
                    java.util.regex.Pattern.compile("(\\d+)\\s*(|B|KiB|MiB|GiB)")
                        .matcher(v.replace("_", ""));
                if (!m.matches()) {
                  throw new IllegalArgumentException(
                      key + " must be a size in bytes (268435456, 64KiB, 256MiB, 1GiB), got " + v);
                }
                int shift =
                    switch (m.group(2)) {
                      case "KiB" -> 10;
                      case "MiB" -> 20;
                      case "GiB" -> 30;
                      default -> 0;
                    };
                long n;
                try {
                  n = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
                } catch (ArithmeticException | NumberFormatException e) {
                  n = Long.MAX_VALUE;
                }
                if (n < min || n > max) {
                  throw new IllegalArgumentException(
                      key + " must be between " + min + " and " + max + " bytes, got " + v);
                }
                return n;
              })
          .orElse(fallback);
    }

    Duration duration(String key, Duration fallback) {
      return get(key)
          .map(
              v -> {
                try {
                  Duration d = Durations.parse(v);
                  if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException(key + " must be positive, got " + v);
                  }
                  return d;
                } catch (IllegalArgumentException e) {
                  throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
                }
              })
          .orElse(fallback);
    }

    /**
     * A quota: a whole number (with a K, M, G or T suffix for bytes, 1024-based), or {@code off}
     * for no limit ({@link Long#MAX_VALUE}).
     */
    long limit(String key, long fallback, boolean bytes) {
      return get(key)
          .map(
              v -> {
                String t = v.toUpperCase(java.util.Locale.ROOT).replace("_", "");
                if (t.equals("OFF")) {
                  return Long.MAX_VALUE;
                }
                int shift = 0;
                if (bytes && !t.isEmpty() && "KMGT".indexOf(t.charAt(t.length() - 1)) >= 0) {
                  shift = 10 * (1 + "KMGT".indexOf(t.charAt(t.length() - 1)));
                  t = t.substring(0, t.length() - 1);
                }
                try {
                  long n = Long.parseLong(t);
                  if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >> shift))) {
                    throw new NumberFormatException();
                  }
                  return n << shift;
                } catch (NumberFormatException e) {
                  throw new IllegalArgumentException(
                      key
                          + " must be a whole number"
                          + (bytes ? " of bytes (suffix K, M, G or T allowed)" : "")
                          + " or off, got "
                          + v);
                }
              })
          .orElse(fallback);
    }

    Optional<Rate> rate(String key, String fallback) {
      try {
        return Rate.parse(get(key).orElse(fallback));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
      }
    }
  }
}
