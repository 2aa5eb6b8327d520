package surge.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The server's configuration, read once at start from environment variables ({@code SURGE_*}), each
 * of which may also be given as a system property ({@code -Dsurge.db.url=...} for {@code
 * SURGE_DB_URL}). The README's configuration table lists them all; keep the two in step.
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
    Identity identity) {

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
      Duration handBackWait) {
    public boolean enabled() {
      return !partitions.isEmpty();
    }
  }

  /** Reads the settings from the process environment and system properties. */
  public static Settings fromEnvironment() {
    return from(System.getenv(), System::getProperty);
  }

  /** Reads the settings from the given variables, then system properties (for tests and tools). */
  public static Settings from(Map<String, String> env, Function<String, String> properties) {
    var source = new Source(env, properties);
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
        source.oneOf("SURGE_DISPATCH_MODE", "async", "async", "batch"),
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
        rescue(source, env),
        new Identity(
            source.get("SURGE_ADMIN_TOKEN"),
            source.get("SURGE_MUNGE_SOCKET").map(Path::of),
            source.get("SURGE_JWT_KEY").map(Path::of),
            source.get("SURGE_JWKS").map(Path::of),
            Set.copyOf(source.list("SURGE_OPERATORS"))));
  }

  private static Rescue rescue(Source source, Map<String, String> env) {
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
        source.get("SURGE_SLURM_CONF").or(() -> Optional.ofNullable(env.get("SLURM_CONF"))),
        Set.copyOf(source.list("SURGE_RESCUE_USERS")),
        Set.copyOf(source.list("SURGE_RESCUE_DENY_USERS")),
        source.integer("SURGE_RESCUE_MAX_TASKS", 0, 0, Integer.MAX_VALUE),
        source.integer("SURGE_RESCUE_MAX_CPUS", 0, 0, Integer.MAX_VALUE),
        Set.copyOf(source.list("SURGE_RESCUE_KERNELS")),
        source.duration("SURGE_RESCUE_HANDBACK_WAIT", Duration.ofSeconds(30)));
  }

  /** Looks a key up as an environment variable, then as a system property. */
  private record Source(Map<String, String> env, Function<String, String> properties) {
    Optional<String> get(String key) {
      String value = env.get(key);
      if (value == null || value.isBlank()) {
        value = properties.apply(key.toLowerCase().replace('_', '.'));
      }
      return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
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

    String oneOf(String key, String fallback, String... allowed) {
      String value = get(key).orElse(fallback);
      for (String a : allowed) {
        if (a.equals(value)) {
          return value;
        }
      }
      throw new IllegalArgumentException(
          key + " must be one of " + String.join(", ", allowed) + ", got " + value);
    }
  }
}
