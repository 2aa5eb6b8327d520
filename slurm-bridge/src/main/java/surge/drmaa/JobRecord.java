package surge.drmaa;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One job as {@code scontrol show job -o} prints it: one line of {@code Key=Value} fields. Finished
 * jobs stay there for {@code MinJobAge} seconds, which is what {@code wait} reads (the cluster has
 * no accounting database).
 */
final class JobRecord {
  private final Map<String, String> fields;

  JobRecord(Map<String, String> fields) {
    this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** Every job of the output, one per non-blank line. */
  static List<JobRecord> parseAll(String output) {
    List<JobRecord> records = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (!line.isBlank() && line.startsWith("JobId=")) {
        records.add(parseLine(line.strip()));
      }
    }
    return records;
  }

  /** One line (see {@link surge.slurm.JobFields}). */
  static JobRecord parseLine(String line) {
    return new JobRecord(surge.slurm.JobFields.parse(line));
  }

  Optional<String> field(String key) {
    String value = fields.get(key);
    if (value == null || value.isEmpty() || value.equals("(null)")) {
      return Optional.empty();
    }
    return Optional.of(value);
  }

  Map<String, String> fields() {
    return fields;
  }

  String jobId() {
    return fields.getOrDefault("JobId", "");
  }

  /** The base state: {@code JobState=CANCELLED} gives CANCELLED ("CANCELLED by 0" is squeue's). */
  String state() {
    String state = fields.getOrDefault("JobState", "");
    int blank = state.indexOf(' ');
    return blank < 0 ? state : state.substring(0, blank);
  }

  String reason() {
    return field("Reason").orElse("None");
  }

  /**
   * The DRMAA ids this record stands for: {@code 42} for a plain job, {@code 42_3} for an element
   * of array 42, and every element of a range while the array's pending elements share one record
   * ({@code ArrayTaskId=4-9:2%10}).
   */
  List<String> drmaaIds() {
    Optional<String> arrayJob = field("ArrayJobId");
    Optional<String> tasks = field("ArrayTaskId");
    if (arrayJob.isEmpty() || tasks.isEmpty()) {
      return List.of(jobId());
    }
    List<String> ids = new ArrayList<>();
    for (long task : arrayTasks(tasks.get())) {
      ids.add(arrayJob.get() + "_" + task);
    }
    return ids;
  }

  /** Slurm's task list: {@code 1,3,5-9,10-20:5}, optionally with a {@code %N} throttle. */
  static List<Long> arrayTasks(String spec) {
    int percent = spec.indexOf('%');
    String list = percent < 0 ? spec : spec.substring(0, percent);
    List<Long> tasks = new ArrayList<>();
    for (String part : list.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      String range = part;
      long step = 1;
      int colon = part.indexOf(':');
      if (colon >= 0) {
        range = part.substring(0, colon);
        step = Long.parseLong(part.substring(colon + 1));
      }
      int dash = range.indexOf('-');
      long first = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
      long last = dash < 0 ? first : Long.parseLong(range.substring(dash + 1));
      for (long t = first; t <= last; t += step) {
        tasks.add(t);
      }
    }
    return tasks;
  }

  /** {@code ExitCode=N:S}: the exit status N, or the signal S that ended the job. */
  int exitStatus() {
    return exitPart(0);
  }

  int terminatingSignal() {
    return exitPart(1);
  }

  private int exitPart(int part) {
    String[] parts = fields.getOrDefault("ExitCode", "0:0").split(":");
    try {
      return parts.length > part ? Integer.parseInt(parts[part].strip()) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Whether the job ever got a node: a job cancelled while pending has none. */
  boolean everRan() {
    return field("BatchHost").isPresent() || field("NodeList").isPresent();
  }

  /** A time field ({@code 2026-11-23T17:34:17}, the controller's local time) as epoch seconds. */
  OptionalLong epochSeconds(String key, ZoneId zone) {
    Optional<String> value = field(key);
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(LocalDateTime.parse(value.get()).atZone(zone).toEpochSecond());
    } catch (DateTimeParseException e) {
      return OptionalLong.empty(); // Unknown, None, N/A
    }
  }

  /** {@code RunTime=[D-]HH:MM:SS} in seconds. */
  OptionalLong runSeconds() {
    Optional<String> value = field("RunTime");
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      String text = value.get();
      long days = 0;
      int dash = text.indexOf('-');
      if (dash >= 0) {
        days = Long.parseLong(text.substring(0, dash));
        text = text.substring(dash + 1);
      }
      long seconds = 0;
      for (String part : text.split(":")) {
        seconds = seconds * 60 + Long.parseLong(part);
      }
      return OptionalLong.of(days * 86_400 + seconds);
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  @Override
  public String toString() {
    return "job " + jobId() + " " + state() + " (Reason=" + reason() + ")";
  }
}
