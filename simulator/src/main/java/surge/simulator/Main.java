package surge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The simulator's command line (bench/simulate.sh):
 *
 * <pre>
 *   run [field=value ...]                one scenario (Scenario's fields), its outcome as JSON
 *   sweep --out P [--rates R,...] [--shapes K,...] [--policies P,...] [--seeds N] [field=value ...]
 *                                        visitors per hour × shape × policy, each against constant
 *                                        sessions of the same mean number: P.json and P.csv
 *   calibrate --churn F --out P [--seeds N] [field=value ...]
 *                                        the configurations of a bench/churn.sh result F, simulated:
 *                                        makespan ratio simulated / real per run, P.json and P.csv
 *   plots --results DIR --out DIR        PNG plots of every results file in DIR (Plots)
 * </pre>
 */
public final class Main {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Main() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args, System.out));
    } catch (IllegalArgumentException e) {
      System.err.println("simulate: " + e.getMessage());
      System.exit(2);
    }
  }

  static int run(String[] args, PrintStream out) {
    if (args.length == 0) {
      throw new IllegalArgumentException("a command: run, sweep, calibrate or plots");
    }
    Options o = Options.parse(Arrays.copyOfRange(args, 1, args.length));
    switch (args[0]) {
      case "run" -> {
        Outcome r = new Simulation(o.scenario(Scenario.defaults())).run();
        System.err.println(r.line());
        out.println(toJson(record(r)));
      }
      case "sweep" -> sweep(o, out);
      case "calibrate" -> calibrate(o, out);
      case "plots" -> Plots.all(Path.of(o.need("results")), Path.of(o.need("out")), out);
      default ->
          throw new IllegalArgumentException(
              "unknown command '" + args[0] + "': run, sweep, calibrate or plots");
    }
    return 0;
  }

  // ---- sweep ----

  private static void sweep(Options o, PrintStream out) {
    Scenario base = o.scenario(Scenario.defaults());
    List<Double> rates = o.numbers("rates", "1000,3000,10000,30000,100000");
    List<Double> shapes = o.numbers("shapes", "0.5,0.75,1.0");
    List<String> policies =
        o.list("policies", String.join(",", surge.policies.DispatchPolicies.NAMES));
    int seeds = (int) o.number("seeds", 3);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String policy : policies) {
      for (double shape : shapes) {
        for (double rate : rates) {
          Scenario churn =
              base.with("policy", policy)
                  .with("shape", Double.toString(shape))
                  .with("arrivalsPerHour", Double.toString(rate))
                  .with("sessions", "0")
                  .with("constant", "false")
                  .with("warmupMs", Double.toString(Math.max(10 * base.meanDwellMs(), 60_000)));
          // Constant sessions: the same mean number of sessions (Little: rate × mean dwell).
          long n = Math.max(1, Math.round(rate * base.meanDwellMs() / 3_600_000));
          Scenario constant =
              base.with("policy", policy)
                  .with("sessions", Long.toString(n))
                  .with("constant", "true")
                  .with("arrivalsPerHour", "0")
                  .with("warmupMs", "0");
          Map<String, Object> row = compare(churn, constant, seeds);
          row.put("visitorsPerHour", rate);
          rows.add(row);
          out.printf(
              Locale.ROOT,
              "%-6s shape %.2f %7.0f/h: makespan %.1f s (constant %.1f s, %d sessions) penalty %.2f×,"
                  + " %.0f msgs/s, %.0f%% sessions with a result, lost %.1f%%%n",
              policy,
              shape,
              rate,
              (double) row.get("makespanS"),
              (double) row.get("constantMakespanS"),
              n,
              (double) row.get("penalty"),
              (double) row.get("messagesPerSecond"),
              100 * (double) row.get("sessionsWithResultShare"),
              100 * (double) row.get("lostShare"));
        }
      }
    }
    write(o.need("out"), "sweep", base, rows);
  }

  /** Mean figures of the churn scenario and its constant baseline over {@code seeds} seeds. */
  static Map<String, Object> compare(Scenario churn, Scenario constant, int seeds) {
    double makespan = 0;
    double constantMakespan = 0;
    double msgsPerSecond = 0;
    double msgsPerTask = 0;
    double lost = 0;
    double withResult = 0;
    double visitors = 0;
    double mean = 0;
    int unfinished = 0;
    for (int i = 0; i < seeds; i++) {
      String seed = Long.toString(churn.seed() + i);
      Outcome c = new Simulation(churn.with("seed", seed)).run();
      Outcome k = new Simulation(constant.with("seed", seed)).run();
      unfinished += (c.finished() ? 0 : 1) + (k.finished() ? 0 : 1);
      makespan += c.makespanMs() / 1000 / seeds;
      constantMakespan += k.makespanMs() / 1000 / seeds;
      msgsPerSecond += c.messagesPerSecond() / seeds;
      msgsPerTask += c.messagesPerTask() / seeds;
      lost += c.lostShare() / seeds;
      withResult +=
          (c.visitors() == 0 ? 0 : (double) c.sessionsWithResult() / c.visitors()) / seeds;
      visitors += (double) c.visitors() / seeds;
      mean += c.meanSessions() / seeds;
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("policy", churn.policy());
    row.put("shape", churn.shape());
    row.put("meanDwellS", churn.meanDwellMs() / 1000);
    row.put("makespanS", makespan);
    row.put("constantMakespanS", constantMakespan);
    row.put("constantSessions", constant.sessions());
    row.put("penalty", makespan / constantMakespan);
    row.put("messagesPerSecond", msgsPerSecond);
    row.put("messagesPerTask", msgsPerTask);
    row.put("lostShare", lost);
    row.put("sessionsWithResultShare", withResult);
    row.put("visitors", visitors);
    row.put("meanSessions", mean);
    row.put("seeds", seeds);
    row.put("unfinishedRuns", unfinished);
    return row;
  }

  // ---- calibrate ----

  /**
   * Simulates every run of a bench/churn.sh result on a host of {@code hostCores} cores: the
   * constant run fixes the one free parameter (a task's time on one core, from the constant run's
   * makespan), the churn runs are then predicted, not fitted.
   */
  private static void calibrate(Options o, PrintStream out) {
    JsonNode churn;
    try {
      churn = JSON.readTree(Path.of(o.need("churn")).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int seeds = (int) o.number("seeds", 10);
    Scenario base =
        o.scenario(
            Scenario.defaults()
                .with("browserShare", "0")
                .with("rttMs", "2")
                .with("startupMs", "1000"));
    Map<String, JsonNode> constants = new LinkedHashMap<>();
    for (JsonNode r : churn.path("runs")) {
      if (r.path("mode").asText().equals("constant")
          && r.path("state").asText().equals("SUCCEEDED")) {
        constants.put(group(r), r);
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (JsonNode r : churn.path("runs")) {
      JsonNode k = constants.get(group(r));
      if (k == null || !r.path("state").asText().equals("SUCCEEDED")) {
        continue;
      }
      int tasks = r.path("job").path("tasks").asInt();
      int sessions = r.path("sessions").asInt();
      double realConstant = k.path("makespanMs").asDouble();
      Scenario job =
          base.with("policy", r.path("policy").asText())
              .with("tasks", Integer.toString(tasks))
              .with("sessions", Integer.toString(sessions))
              .with("startupMs", Double.toString(startup(r, base.startupMs())));
      if (base.hostCores() > 0) {
        // One task's time on a core of its own, such that the constant run's makespan matches.
        double perCore = Math.min(sessions, base.hostCores());
        job = job.with("taskMs", Double.toString(realConstant * perCore / tasks));
        job = fitTaskMs(job.with("constant", "true"), realConstant, seeds);
      } else {
        // The machine is shared with other work whose load changes from run to run: take the task
        // time this run measured (the kernels' own millis in its results).
        job = job.with("taskMs", Double.toString(meanTaskMs(r, realConstant * 2 / tasks)));
      }
      Scenario scenario = job.with("constant", "true");
      if (r.path("mode").asText().equals("churn")) {
        double dwell = r.path("dwellMs").asDouble();
        scenario =
            job.with("constant", "false")
                .with("shape", r.path("shape").asText())
                .with("meanDwellMs", Double.toString(dwell))
                .with("arrivalsPerHour", Double.toString(sessions * 3_600_000.0 / dwell))
                .with("maxSessions", r.path("maxSessions").asText())
                .with("cleanLeaveShare", r.path("leave").asText().equals("kill") ? "0" : "1");
      }
      double sim = 0;
      double simMin = Double.MAX_VALUE;
      double simMax = 0;
      for (int i = 0; i < seeds; i++) {
        Outcome x = new Simulation(scenario.with("seed", Integer.toString(i + 1))).run();
        sim += x.makespanMs() / seeds;
        simMin = Math.min(simMin, x.makespanMs());
        simMax = Math.max(simMax, x.makespanMs());
      }
      double real = r.path("makespanMs").asDouble();
      List<Simulation.Visit> trace = trace(r);
      double replay =
          trace.isEmpty() ? Double.NaN : new Simulation(scenario, trace).run().makespanMs();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("label", r.path("label").asText());
      row.put("job", r.path("job").path("name").asText());
      row.put("policy", r.path("policy").asText());
      row.put("mode", r.path("mode").asText());
      row.put("shape", r.path("mode").asText().equals("churn") ? r.path("shape").asDouble() : null);
      row.put("leave", r.path("leave").asText(null));
      row.put("realMakespanS", real / 1000);
      row.put("simMakespanS", sim / 1000);
      row.put("simMinS", simMin / 1000);
      row.put("simMaxS", simMax / 1000);
      row.put("ratio", sim / real);
      row.put("replayMakespanS", replay / 1000);
      row.put("replayRatio", replay / real);
      row.put("taskMs", scenario.taskMs());
      row.put("startupMs", scenario.startupMs());
      rows.add(row);
      out.printf(
          Locale.ROOT,
          "%-40s real %6.1f s, replayed %6.1f s (ratio %.2f); simulated %6.1f s [%.1f .. %.1f]"
              + " ratio %.2f%n",
          row.get("label"),
          real / 1000,
          replay / 1000,
          replay / real,
          sim / 1000,
          simMin / 1000,
          simMax / 1000,
          sim / real);
    }
    write(o.need("out"), "calibration", base, rows);
  }

  /** A few secant steps on taskMs so the simulated constant makespan matches the real one. */
  private static Scenario fitTaskMs(Scenario constant, double target, int seeds) {
    Scenario s = constant;
    for (int step = 0; step < 4; step++) {
      double m = 0;
      for (int i = 0; i < Math.min(seeds, 3); i++) {
        m +=
            new Simulation(s.with("seed", Integer.toString(i + 1))).run().makespanMs()
                / Math.min(seeds, 3);
      }
      double scale = target / Math.max(1, m);
      if (Math.abs(scale - 1) < 0.005) {
        break;
      }
      s = s.with("taskMs", Double.toString(s.taskMs() * scale));
    }
    return s;
  }

  /** Mean kernel wall time per result in a churn run, from its sessions' results. */
  private static double meanTaskMs(JsonNode r, double fallback) {
    double ms = 0;
    double n = 0;
    for (JsonNode session : r.path("sessionLog")) {
      ms += session.path("kernelMillis").asDouble();
      n += session.path("results").asDouble();
    }
    return n > 0 ? ms / n : fallback;
  }

  /** The visitors of a recorded run (bench/churn.sh "visits"), empty when it has none. */
  private static List<Simulation.Visit> trace(JsonNode r) {
    List<Simulation.Visit> visits = new ArrayList<>();
    for (JsonNode v : r.path("visits")) {
      visits.add(
          new Simulation.Visit(
              v.path("atMs").asDouble(),
              v.path("dwellMs").isNumber() ? v.path("dwellMs").asDouble() : Double.NaN,
              v.path("initial").asBoolean()));
    }
    return visits;
  }

  private static String group(JsonNode r) {
    return r.path("job").path("name").asText()
        + "|"
        + r.path("policy").asText()
        + "|"
        + r.path("checkpoints").asText();
  }

  /**
   * A volunteer's time from its start to its connection in a churn run: the one start-up time that
   * best explains when the run's sessions connected, given when its visitors started and how long
   * they stayed (a visitor that leaves before it is up never connects). Later visitors start while
   * kernels run, so the first sessions' start-up alone would be too short.
   */
  static double startup(JsonNode r, double fallback) {
    JsonNode visits = r.path("visits");
    JsonNode sessions = r.path("sessionLog");
    if (visits.isEmpty() || sessions.isEmpty() || !r.has("submittedAt")) {
      return fallback;
    }
    double t0 = r.path("submittedAt").asDouble();
    double[] opened = new double[sessions.size()];
    for (int i = 0; i < opened.length; i++) {
      opened[i] = sessions.get(i).path("openedAt").asDouble() - t0;
    }
    Arrays.sort(opened);
    double best = fallback;
    double bestCost = Double.MAX_VALUE;
    for (double up = 0; up <= 30_000; up += 50) {
      List<Double> predicted = new ArrayList<>();
      for (JsonNode v : visits) {
        double at = v.path("atMs").asDouble();
        boolean stays =
            v.path("initial").asBoolean()
                || !v.path("dwellMs").isNumber()
                || v.path("dwellMs").asDouble() > up;
        if (stays) {
          predicted.add(at + up);
        }
      }
      predicted.sort(Double::compare);
      int n = Math.min(predicted.size(), opened.length);
      double cost = Math.abs(predicted.size() - opened.length) * 10_000.0;
      for (int i = 0; i < n; i++) {
        cost += Math.abs(predicted.get(i) - opened[i]);
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = up;
      }
    }
    return best;
  }

  // ---- output ----

  static Map<String, Object> record(Outcome r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scenario", r.scenario().fields());
    m.put("outcome", r.figures());
    return m;
  }

  private static void write(
      String prefix, String kind, Scenario base, List<Map<String, Object>> rows) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("kind", "simulator-" + kind);
    doc.put("command", System.getProperty("surge.simulate.command", ""));
    doc.put("base", base.fields());
    doc.put("rows", rows);
    try {
      Path json = Path.of(prefix + ".json");
      if (json.getParent() != null) {
        Files.createDirectories(json.getParent());
      }
      Files.writeString(json, toJson(doc));
      StringBuilder csv = new StringBuilder();
      if (!rows.isEmpty()) {
        csv.append(String.join(",", rows.get(0).keySet())).append('\n');
        for (Map<String, Object> row : rows) {
          List<String> cells = new ArrayList<>();
          for (Object v : row.values()) {
            cells.add(v == null ? "" : v.toString());
          }
          csv.append(String.join(",", cells)).append('\n');
        }
      }
      Files.writeString(Path.of(prefix + ".csv"), csv);
      System.err.println("simulate: wrote " + json + " and " + prefix + ".csv");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String toJson(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code --name value} options and {@code field=value} scenario overrides. */
  record Options(Map<String, String> named, List<String[]> overrides) {
    static Options parse(String[] args) {
      Map<String, String> named = new LinkedHashMap<>();
      List<String[]> overrides = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].startsWith("--")) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value");
          }
          named.put(args[i].substring(2), args[++i]);
        } else if (args[i].contains("=")) {
          overrides.add(args[i].split("=", 2));
        } else {
          throw new IllegalArgumentException(
              "'" + args[i] + "' is neither --option value nor field=value");
        }
      }
      return new Options(named, overrides);
    }

    Scenario scenario(Scenario base) {
      Scenario s = base;
      for (String[] kv : overrides) {
        s = s.with(kv[0], kv[1]);
      }
      return s;
    }

    String need(String name) {
      String v = named.get(name);
      if (v == null) {
        throw new IllegalArgumentException("missing --" + name);
      }
      return v;
    }

    double number(String name, double fallback) {
      String v = named.get(name);
      try {
        return v == null ? fallback : Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
      }
    }

    List<String> list(String name, String fallback) {
      return List.of(named.getOrDefault(name, fallback).split(","));
    }

    List<Double> numbers(String name, String fallback) {
      List<Double> xs = new ArrayList<>();
      for (String x : list(name, fallback)) {
        try {
          xs.add(Double.parseDouble(x));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--" + name + ": '" + x + "' is not a number");
        }
      }
      return xs;
    }
  }
}
