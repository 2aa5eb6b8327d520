package surge.slurmcommon.command;

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
 * One job as {@code scontrol show job -o} prints it: one line of {@code Key=Value} fields, the one
 * parser of that output in Surge. Finished jobs stay there for {@code MinJobAge} seconds (DRMAA's
 * {@code wait} reads them; the cluster may have no accounting database).
 *
 * <p>Values may hold blanks (Comment, Command, paths), so a field ends where a blank is followed by
 * the next {@code Key=}: a capital letter, then letters, digits, '/', ':' or '_' ({@code
 * MCS_label}, {@code AllocNode:Sid}, {@code CPUs/Task}, {@code NtasksPerN:B:S:C}).
 */
public final class JobRecord {
  private final Map<String, String> fields;

  public JobRecord(Map<String, String> fields) {
    this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** Every job of the output, one per non-blank line. */
  public static List<JobRecord> parseAll(String output) {
    List<JobRecord> records = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (!line.isBlank() && line.startsWith("JobId=")) {
        records.add(parseLine(line.strip()));
      }
    }
    return records;
  }

  /** One line. */
  public static JobRecord parseLine(String line) {
    return new JobRecord(fieldsOf(line));
  }

  /** The {@code Key=value} fields of one line, in order. */
  public static Map<String, String> fieldsOf(String line) {
    Map<String, String> fields = new LinkedHashMap<>();
    int start = 0;
    while (start < line.length()) {
      int eq = line.indexOf('=', start);
      if (eq < 0) {
        break;
      }
      String key = line.substring(start, eq);
      int next = nextField(line, eq + 1);
      fields.put(key, line.substring(eq + 1, next < 0 ? line.length() : next).strip());
      start = next < 0 ? line.length() : next + 1;
    }
    return fields;
  }

  private static int nextField(String line, int from) {
    for (int blank = line.indexOf(' ', from); blank >= 0; blank = line.indexOf(' ', blank + 1)) {
      int i = blank + 1;
      if (i >= line.length() || !Character.isUpperCase(line.charAt(i))) {
        continue;
      }
      while (i < line.length() && isKeyChar(line.charAt(i))) {
        i++;
      }
      if (i < line.length() && line.charAt(i) == '=') {
        return blank;
      }
    }
    return -1;
  }

  private static boolean isKeyChar(char c) {
    return Character.isLetterOrDigit(c) || c == '/' || c == ':' || c == '_';
  }

  public Optional<String> field(String key) {
    String value = fields.get(key);
    if (value == null || value.isEmpty() || value.equals("(null)")) {
      return Optional.empty();
    }
    return Optional.of(value);
  }

  public Map<String, String> fields() {
    return fields;
  }

  public String jobId() {
    return fields.getOrDefault("JobId", "");
  }

  /** Surge's reading of the state and reason ({@link JobState}). */
  public JobState jobState() {
    return JobState.of(state(), reason());
  }

  /**
   * The record of a job of the caller's that Slurm no longer knows: it was cancelled before it ran
   * (Slurm 22.05 drops a cancelled pending element of an unsplit array at once) or aged out after
   * {@code MinJobAge}. Read as cancelled and never run.
   */
  public static JobRecord forgotten(String id) {
    return new JobRecord(
        Map.of(
            "JobId", id, "JobState", "CANCELLED", "Reason", "ForgottenBySlurm", "ExitCode", "0:0"));
  }

  /** The base state: {@code JobState=CANCELLED} gives CANCELLED ("CANCELLED by 0" is squeue's). */
  public String state() {
    String state = fields.getOrDefault("JobState", "");
    int blank = state.indexOf(' ');
    return blank < 0 ? state : state.substring(0, blank);
  }

  public String reason() {
    return field("Reason").orElse("None");
  }

  /**
   * The DRMAA ids this record stands for: {@code 42} for a plain job, {@code 42_3} for an element
   * of array 42, and every element of a range while the array's pending elements share one record
   * ({@code ArrayTaskId=4-9:2%10}).
   */
  public List<String> drmaaIds() {
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
  public static List<Long> arrayTasks(String spec) {
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
  public int exitStatus() {
    return exitPart(0);
  }

  public int terminatingSignal() {
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
  public boolean everRan() {
    return field("BatchHost").isPresent() || field("NodeList").isPresent();
  }

  /** A time field ({@code 2026-11-23T17:34:17}, the controller's local time) as epoch seconds. */
  public OptionalLong epochSeconds(String key, ZoneId zone) {
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
  public OptionalLong runSeconds() {
    return field("RunTime")
        .flatMap(SlurmTimes::duration)
        .map(d -> OptionalLong.of(d.toSeconds()))
        .orElse(OptionalLong.empty());
  }

  @Override
  public String toString() {
    return "job " + jobId() + " " + state() + " (Reason=" + reason() + ")";
  }
}
