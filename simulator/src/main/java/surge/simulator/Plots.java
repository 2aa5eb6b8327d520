package surge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots (XChart, headless) of whatever results bench/results holds: the newest file of each
 * kind. churn (bench/churn.sh): churn penalty per policy and dwell shape, one plot per job;
 * efficiency (bench/efficiency.sh): parallel efficiency per job; simulator-calibration: simulated
 * against real makespans; simulator-sweep: makespan, penalty and messages per second against
 * visitors per hour.
 */
final class Plots {
  private Plots() {}

  static void all(Path results, Path out, PrintStream log) {
    System.setProperty("java.awt.headless", "true");
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, JsonNode> newest = newestByKind(results);
    if (newest.isEmpty()) {
      log.println("plots: no results in " + results);
    }
    for (var e : newest.entrySet()) {
      switch (e.getKey()) {
        case "churn" -> churn(e.getValue(), out, log);
        case "efficiency" -> efficiency(e.getValue(), out, log);
        case "simulator-calibration" -> calibration(e.getValue(), out, log);
        case "simulator-sweep" -> sweep(e.getValue(), out, log);
        default -> log.println("plots: nothing to draw for kind " + e.getKey());
      }
    }
  }

  /** The newest results file of each kind, by file name (they start with a UTC timestamp). */
  static Map<String, JsonNode> newestByKind(Path results) {
    Map<String, JsonNode> newest = new TreeMap<>();
    Map<String, String> names = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(results)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path f : files) {
      JsonNode doc;
      try {
        doc = Main.JSON.readTree(f.toFile());
      } catch (IOException e) {
        continue; // not ours, or half written
      }
      String kind = kind(doc).orElse(null);
      if (kind == null) {
        continue;
      }
      String name = f.getFileName().toString().replaceAll("^[a-z-]+-(?=\\d{8}T)", "");
      if (names.get(kind) == null || name.compareTo(names.get(kind)) >= 0) {
        names.put(kind, name);
        newest.put(kind, doc);
      }
    }
    return newest;
  }

  private static Optional<String> kind(JsonNode doc) {
    if (doc.hasNonNull("kind")) {
      return Optional.of(doc.get("kind").asText());
    }
    if (doc.path("benchmark").asText().equals("efficiency")) {
      return Optional.of("efficiency");
    }
    return Optional.empty();
  }

  // ---- churn ----

  private static void churn(JsonNode doc, Path out, PrintStream log) {
    Map<String, Map<String, Map<String, Double>>> byJob = new TreeMap<>();
    for (JsonNode r : doc.path("rows")) {
      if (r.path("penalty").isNull() || r.path("penalty").isMissingNode()) {
        continue;
      }
      String x =
          r.path("mode").asText().equals("constant")
              ? "constant"
              : r.path("shape").asText() + " " + r.path("leave").asText();
      String series = r.path("policy").asText() + ", checkpoints " + r.path("checkpoints").asText();
      byJob
          .computeIfAbsent(r.path("job").asText(), k -> new TreeMap<>())
          .computeIfAbsent(series, k -> new TreeMap<>())
          .put(x, r.path("penalty").asDouble());
    }
    for (var job : byJob.entrySet()) {
      CategoryChart c =
          new CategoryChartBuilder()
              .width(900)
              .height(500)
              .title("Churn penalty, " + job.getKey() + " (makespan / constant sessions)")
              .xAxisTitle("dwell (Weibull shape, leave)")
              .yAxisTitle("penalty (×)")
              .build();
      style(c);
      List<String> xs = categories(job.getValue());
      for (var s : job.getValue().entrySet()) {
        List<Double> ys = new ArrayList<>();
        for (String x : xs) {
          ys.add(s.getValue().getOrDefault(x, 0.0));
        }
        c.addSeries(s.getKey(), xs, ys);
      }
      save(c, out.resolve("churn-" + job.getKey() + ".png"), log);
    }
  }

  private static List<String> categories(Map<String, Map<String, Double>> series) {
    List<String> xs = new ArrayList<>();
    for (var s : series.values()) {
      for (String x : s.keySet()) {
        if (!xs.contains(x)) {
          xs.add(x);
        }
      }
    }
    xs.sort((a, b) -> a.equals("constant") ? -1 : b.equals("constant") ? 1 : a.compareTo(b));
    return xs;
  }

  // ---- efficiency ----

  private static void efficiency(JsonNode doc, Path out, PrintStream log) {
    Map<String, Double> bars = new LinkedHashMap<>();
    collectEfficiency(doc.path("figures"), "", bars);
    if (bars.isEmpty()) {
      log.println("plots: the efficiency results hold no efficiency figures");
      return;
    }
    CategoryChart c =
        new CategoryChartBuilder()
            .width(900)
            .height(500)
            .title("Parallel efficiency against native on the same cores")
            .xAxisTitle("runtime / job")
            .yAxisTitle("native time on 1 core / (cores × makespan)")
            .build();
    style(c);
    c.addSeries(
        "efficiency (median)", new ArrayList<>(bars.keySet()), new ArrayList<>(bars.values()));
    c.addSeries(
        "goal 0.9", new ArrayList<>(bars.keySet()), bars.keySet().stream().map(k -> 0.9).toList());
    save(c, out.resolve("efficiency.png"), log);
  }

  private static void collectEfficiency(JsonNode node, String path, Map<String, Double> bars) {
    if (!node.isObject()) {
      return;
    }
    JsonNode e = node.path("efficiency");
    if (e.isNumber()) {
      bars.put(path, e.asDouble());
    } else if (e.path("median").isNumber()) {
      bars.put(path, e.path("median").asDouble());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      var f = it.next();
      if (!f.getKey().equals("efficiency") && f.getValue().isObject()) {
        collectEfficiency(
            f.getValue(), path.isEmpty() ? f.getKey() : path + " " + f.getKey(), bars);
      }
    }
  }

  // ---- the simulator ----

  private static void calibration(JsonNode doc, Path out, PrintStream log) {
    List<String> labels = new ArrayList<>();
    List<Double> real = new ArrayList<>();
    List<Double> sim = new ArrayList<>();
    List<Double> replay = new ArrayList<>();
    for (JsonNode r : doc.path("rows")) {
      replay.add(r.path("replayMakespanS").isNumber() ? r.path("replayMakespanS").asDouble() : 0);
      labels.add(r.path("label").asText().replace("-off-", " ").replace("-on-", " ckpt "));
      real.add(r.path("realMakespanS").asDouble());
      sim.add(r.path("simMakespanS").asDouble());
    }
    if (labels.isEmpty()) {
      return;
    }
    CategoryChart c =
        new CategoryChartBuilder()
            .width(1000)
            .height(550)
            .title("Simulator against the real churn runs (same configurations)")
            .xAxisTitle("run")
            .yAxisTitle("makespan (s)")
            .build();
    style(c);
    c.getStyler().setXAxisLabelRotation(45);
    c.addSeries("real (bench/churn.sh)", labels, real);
    c.addSeries("simulated, the run's own visitors replayed", labels, replay);
    c.addSeries("simulated, fresh visitors (mean of seeds)", labels, sim);
    save(c, out.resolve("simulator-vs-real.png"), log);
  }

  private static void sweep(JsonNode doc, Path out, PrintStream log) {
    sweepChart(
        doc,
        "makespanS",
        "Makespan of Panther's Monte Carlo job (720 tasks)",
        "makespan (s)",
        out.resolve("scale-makespan.png"),
        log);
    sweepChart(
        doc,
        "penalty",
        "Churn penalty (makespan / constant sessions of the same mean number)",
        "penalty (×)",
        out.resolve("scale-penalty.png"),
        log);
    sweepChart(
        doc,
        "messagesPerSecond",
        "Server messages per second during the job",
        "messages / s",
        out.resolve("scale-messages.png"),
        log);
  }

  private static void sweepChart(
      JsonNode doc, String field, String title, String yTitle, Path file, PrintStream log) {
    Map<String, List<double[]>> series = new TreeMap<>();
    for (JsonNode r : doc.path("rows")) {
      String name = r.path("policy").asText() + ", shape " + r.path("shape").asText();
      series
          .computeIfAbsent(name, k -> new ArrayList<>())
          .add(new double[] {r.path("visitorsPerHour").asDouble(), r.path(field).asDouble()});
    }
    if (series.isEmpty()) {
      return;
    }
    XYChart c =
        new XYChartBuilder()
            .width(1100)
            .height(550)
            .title(title)
            .xAxisTitle("visitors per hour")
            .yAxisTitle(yTitle)
            .build();
    style(c);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
    c.getStyler().setXAxisLogarithmic(true);
    if (!field.equals("penalty")) {
      c.getStyler().setYAxisLogarithmic(true);
    }
    for (var s : series.entrySet()) {
      double[] x = s.getValue().stream().mapToDouble(p -> p[0]).toArray();
      double[] y = s.getValue().stream().mapToDouble(p -> Math.max(p[1], 1e-9)).toArray();
      c.addSeries(s.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
    }
    save(c, file, log);
  }

  // ---- common ----

  private static void style(Chart<?, ?> c) {
    Styler st = c.getStyler();
    st.setLegendPosition(Styler.LegendPosition.OutsideS);
    st.setLegendLayout(Styler.LegendLayout.Horizontal);
    st.setChartBackgroundColor(java.awt.Color.WHITE);
  }

  private static void save(Chart<?, ?> c, Path file, PrintStream log) {
    try {
      BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    log.println("plots: wrote " + file);
  }
}
