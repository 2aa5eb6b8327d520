package surge.simulator;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One simulated configuration: the job, the visitors, the network and the policies. Times are
 * milliseconds of simulated time. {@link #defaults()} is Panther's Monte Carlo job (720 tasks) on
 * browsers with a Weibull dwell of shape 0.75; {@link #with} changes one field by name, as the CLI
 * and the calibration do.
 *
 * @param policy the dispatch policy's name (surge.policies.DispatchPolicies)
 * @param tasksPerWorker the policy's tasks per worker (SURGE_TASKS_PER_WORKER)
 * @param leaseMs the policy's lease
 * @param verify "none" (every result accepted, as from trusted machines) or "credibility" (the
 *     built-in VerificationPolicy: a result counts by its volunteer's credibility; tasks replicate
 *     until the agreeing group reaches 1 - verifyError)
 * @param verifyError the job's target error for "credibility"
 * @param tasks tasks in the job
 * @param taskMs one task's wall time on a device of speed 1 (native time × the wasm factor)
 * @param taskSigma log-normal spread of task lengths (0: all equal)
 * @param sessions sessions present when the job is submitted (constant: all of them, forever)
 * @param constant no arrivals and no departures: the baseline of a churn penalty
 * @param arrivalsPerHour Poisson arrival rate of visitors (0: none)
 * @param warmupMs arrivals start this long before the job is submitted, so the sessions present at
 *     submission have stayed a while (0: the {@code sessions} start fresh at submission)
 * @param shape Weibull shape of the dwell
 * @param meanDwellMs the dwell's mean (the scale follows from it and the shape)
 * @param speedSigma log-normal spread of device speeds around a median of 1 (0: all equal)
 * @param browserShare share of visitors that are browsers (the rest keyed, trusted machines: the
 *     policies see their kind, verification believes them; they come and go like the others)
 * @param workers workers per session
 * @param startupMs from arrival to the hello (page load, runtime start, kernel download)
 * @param rttMs network round trip between a volunteer and the server
 * @param heartbeatMs a connected volunteer's heartbeat period (messages only)
 * @param checkpointMs a running task checkpoints after every this much work (0: no checkpoints)
 * @param cleanLeaveShare share of departures that release their tasks (pagehide); the others are
 *     noticed only after {@code abruptDetectMs}
 * @param abruptDetectMs how long the server takes to notice an abrupt departure (0: the connection
 *     closes at once; the lease for a device that vanished from the network)
 * @param maxSessions arrivals beyond this many sessions at once are turned away (0: no limit)
 * @param hostCores 0: every session is its own device; above 0, every running task shares this many
 *     cores (the machine the real churn runs used)
 * @param seed the random seed
 * @param limitMs the simulation gives up after this much simulated time
 */
public record Scenario(
    String policy,
    int tasksPerWorker,
    long leaseMs,
    String verify,
    double verifyError,
    int tasks,
    double taskMs,
    double taskSigma,
    int sessions,
    boolean constant,
    double arrivalsPerHour,
    double warmupMs,
    double shape,
    double meanDwellMs,
    double speedSigma,
    double browserShare,
    int workers,
    double startupMs,
    double rttMs,
    double heartbeatMs,
    double checkpointMs,
    double cleanLeaveShare,
    double abruptDetectMs,
    int maxSessions,
    double hostCores,
    long seed,
    double limitMs) {

  public Scenario {
    positive("tasks", tasks);
    positive("taskMs", taskMs);
    positive("workers", workers);
    positive("tasksPerWorker", tasksPerWorker);
    positive("leaseMs", leaseMs);
    positive("shape", shape);
    positive("meanDwellMs", meanDwellMs);
    positive("limitMs", limitMs);
    notNegative("sessions", sessions);
    notNegative("arrivalsPerHour", arrivalsPerHour);
    notNegative("warmupMs", warmupMs);
    notNegative("taskSigma", taskSigma);
    notNegative("speedSigma", speedSigma);
    notNegative("startupMs", startupMs);
    notNegative("rttMs", rttMs);
    notNegative("checkpointMs", checkpointMs);
    notNegative("abruptDetectMs", abruptDetectMs);
    notNegative("maxSessions", maxSessions);
    notNegative("hostCores", hostCores);
    positive("heartbeatMs", heartbeatMs);
    share("browserShare", browserShare);
    share("cleanLeaveShare", cleanLeaveShare);
    if (!(verifyError > 0 && verifyError < 1)) {
      throw new IllegalArgumentException("verifyError must be in (0, 1), got " + verifyError);
    }
    if (!verify.equals("none") && !verify.equals("credibility")) {
      throw new IllegalArgumentException(
          "verify must be none or credibility, got '" + verify + "'");
    }
    if (sessions == 0 && (constant || arrivalsPerHour == 0)) {
      throw new IllegalArgumentException(
          "no visitor would ever come: give sessions above 0, or arrivalsPerHour without constant");
    }
  }

  /** Panther's Monte Carlo pi job (720 tasks) on 24 browsers, dwell shape 0.75. */
  public static Scenario defaults() {
    return new Scenario(
        "async", // policy
        4, // tasksPerWorker
        30_000, // leaseMs
        "none", // verify
        1e-4, // verifyError
        720, // tasks
        5_000, // taskMs: 156 s × 24 browsers / 720 tasks, Panther's own devices
        0, // taskSigma
        24, // sessions
        false, // constant
        1_440, // arrivalsPerHour: 24 sessions on average at a mean dwell of 60 s
        0, // warmupMs
        0.75, // shape
        60_000, // meanDwellMs
        0, // speedSigma
        1, // browserShare
        1, // workers
        1_000, // startupMs
        50, // rttMs
        5_000, // heartbeatMs
        0, // checkpointMs
        1, // cleanLeaveShare
        0, // abruptDetectMs
        0, // maxSessions
        0, // hostCores
        1, // seed
        7L * 24 * 3600 * 1000); // limitMs
  }

  /** The Weibull scale that gives {@link #meanDwellMs} at {@link #shape}. */
  public double scaleMs() {
    return Distributions.weibullScale(shape, meanDwellMs);
  }

  /**
   * This scenario with one field changed, by its name; the value is parsed for the field's type.
   */
  public Scenario with(String field, String value) {
    Map<String, Object> f = fields();
    if (!f.containsKey(field)) {
      throw new IllegalArgumentException(
          "no scenario field '" + field + "'; there are " + String.join(", ", f.keySet()));
    }
    Object old = f.get(field);
    try {
      Object parsed;
      if (old instanceof Integer) {
        parsed = Integer.parseInt(value);
      } else if (old instanceof Long) {
        parsed = Long.parseLong(value);
      } else if (old instanceof Double) {
        parsed = Double.parseDouble(value);
      } else if (old instanceof Boolean) {
        parsed = parseBoolean(field, value);
      } else {
        parsed = value;
      }
      f.put(field, parsed);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " must be a number, got '" + value + "'");
    }
    return fromFields(f);
  }

  private static boolean parseBoolean(String field, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException(field + " must be true or false, got " + value);
    };
  }

  /** Every field by name, in declaration order. */
  public Map<String, Object> fields() {
    Map<String, Object> f = new LinkedHashMap<>();
    for (var c : Scenario.class.getRecordComponents()) {
      try {
        f.put(c.getName(), c.getAccessor().invoke(this));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return f;
  }

  private static Scenario fromFields(Map<String, Object> f) {
    var components = Scenario.class.getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      args[i] = f.get(components[i].getName());
      types[i] = components[i].getType();
    }
    try {
      return Scenario.class.getDeclaredConstructor(types).newInstance(args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void positive(String name, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be above 0, got " + v);
    }
  }

  private static void notNegative(String name, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " cannot be negative, got " + v);
    }
  }

  private static void share(String name, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1, got " + v);
    }
  }
}
