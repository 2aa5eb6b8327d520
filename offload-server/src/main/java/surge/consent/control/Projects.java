package surge.consent.control;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The projects volunteers may consent to: the admin's file (SURGE_PROJECTS, a JSON array of
 * projects) or, without one, the built-in {@code demo} project.
 */
public final class Projects {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final List<Integer> CPU_LEVELS = List.of(25, 50, 75);
  private final Map<String, Project> byId;

  private Projects(List<Project> projects) {
    var map = new LinkedHashMap<String, Project>();
    for (Project p : projects) {
      if (map.put(p.id(), p) != null) {
        throw new IllegalArgumentException("SURGE_PROJECTS: project '" + p.id() + "' twice");
      }
    }
    this.byId = Map.copyOf(map);
  }

  public static Projects of(String centre, Optional<Path> file) {
    if (file.isEmpty()) {
      return new Projects(List.of(demo(centre)));
    }
    try (Reader r = Files.newBufferedReader(file.get(), StandardCharsets.UTF_8)) {
      return parse(centre, JsonProvider.provider().createReader(r).readValue());
    } catch (IOException e) {
      throw new IllegalArgumentException("SURGE_PROJECTS: cannot read " + file.get() + ": " + e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "SURGE_PROJECTS: " + file.get() + ": " + e.getMessage(), e);
    }
  }

  static Project demo(String centre) {
    return new Project(
        "demo",
        centre,
        "Surge demo",
        "Small test computations (estimating pi, drawing a Mandelbrot set) that show how Surge"
            + " runs urgent HPC work in visitors' browsers.",
        Optional.empty(),
        1,
        CPU_LEVELS);
  }

  /** A JSON array of projects; {@code centre} is the default of each project's centre. */
  static Projects parse(String centre, JsonValue json) {
    if (!(json instanceof JsonArray array) || array.isEmpty()) {
      throw new IllegalArgumentException("expected a non-empty JSON array of projects");
    }
    var projects = new ArrayList<Project>();
    for (JsonValue v : array) {
      if (!(v instanceof JsonObject o)) {
        throw new IllegalArgumentException("every project must be a JSON object");
      }
      String id = text(o, "id", null);
      if (!ID.matcher(id).matches()) {
        throw new IllegalArgumentException(
            "project id '" + id + "' must be lower-case letters, digits and dashes");
      }
      int revision = o.getInt("revision", 1);
      if (revision < 1) {
        throw new IllegalArgumentException("project " + id + ": revision must be at least 1");
      }
      List<Integer> levels = CPU_LEVELS;
      if (o.get("cpuLevels") instanceof JsonArray a) {
        levels = new ArrayList<>();
        for (JsonValue l : a) {
          if (!(l instanceof JsonNumber n)
              || !n.isIntegral()
              || n.intValue() < 1
              || n.intValue() > 100) {
            throw new IllegalArgumentException(
                "project " + id + ": cpuLevels must be whole percentages between 1 and 100");
          }
          levels.add(n.intValue());
        }
        if (levels.isEmpty()) {
          throw new IllegalArgumentException("project " + id + ": cpuLevels is empty");
        }
        levels = List.copyOf(levels);
      }
      projects.add(
          new Project(
              id,
              text(o, "centre", centre),
              text(o, "name", null),
              text(o, "purpose", null),
              Optional.ofNullable(
                  o.get("detailsUrl") instanceof JsonString s ? s.getString() : null),
              revision,
              levels));
    }
    return new Projects(projects);
  }

  private static String text(JsonObject o, String key, String fallback) {
    if (o.get(key) instanceof JsonString s && !s.getString().isBlank()) {
      return s.getString();
    }
    if (fallback == null) {
      throw new IllegalArgumentException("every project needs a non-empty '" + key + "'");
    }
    return fallback;
  }

  public Optional<Project> find(String id) {
    return Optional.ofNullable(id).map(byId::get);
  }

  public Collection<Project> all() {
    return byId.values();
  }
}
