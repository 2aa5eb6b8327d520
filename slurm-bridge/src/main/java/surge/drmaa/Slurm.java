package surge.drmaa;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.ggf.drmaa.AuthorizationException;
import org.ggf.drmaa.DeniedByDrmException;
import org.ggf.drmaa.DrmCommunicationException;
import org.ggf.drmaa.DrmaaException;
import org.ggf.drmaa.InternalException;
import org.ggf.drmaa.InvalidAttributeValueException;
import org.ggf.drmaa.InvalidJobException;
import org.ggf.drmaa.TryLaterException;

/**
 * The Slurm commands the session needs, with Slurm's failures as DRMAA's exceptions. Every message
 * carries the command and Slurm's own words.
 */
final class Slurm {
  private final SlurmCommands commands;

  Slurm(SlurmCommands commands) {
    this.commands = commands;
  }

  /** {@code sbatch --parsable ...} with the script on stdin; answers the job id. */
  String submit(SbatchRequest request) throws DrmaaException {
    List<String> command = new ArrayList<>();
    command.add("sbatch");
    command.addAll(request.options());
    SlurmCommands.Output out = commands.run(command, request.script());
    if (!out.ok()) {
      String message = out.message();
      String lower = message.toLowerCase(Locale.ROOT);
      if (lower.contains("unrecognized option") || lower.contains("invalid option")) {
        throw new InvalidAttributeValueException(
            "nativeSpecification: sbatch refused an option: " + message);
      }
      throw failure(out, DeniedByDrmException::new);
    }
    // "42" or "42;cluster"
    String id = out.stdout().strip().split(";")[0].strip();
    if (!id.matches("[0-9]+")) {
      throw new InternalException(
          out.commandLine() + " answered '" + out.stdout().strip() + "', not a job id");
    }
    return id;
  }

  /** {@code scontrol show job -o ID}: the record for that DRMAA id. */
  JobRecord show(String id) throws DrmaaException {
    SlurmCommands.Output out = commands.run(List.of("scontrol", "show", "job", "-o", id));
    if (!out.ok()) {
      throw failure(out, DrmCommunicationException::new);
    }
    List<JobRecord> records = JobRecord.parseAll(out.stdout());
    for (JobRecord record : records) {
      if (record.drmaaIds().contains(id) || record.jobId().equals(id)) {
        return record;
      }
    }
    if (records.isEmpty()) {
      throw new InvalidJobException(
          "job " + id + ": Slurm does not know it (" + out.message() + ")");
    }
    return records.get(0); // an array's id names all its elements: the first stands for them
  }

  /** Every job slurmctld knows, by DRMAA id (one {@code scontrol} call for many waits). */
  Map<String, JobRecord> showAll() throws DrmaaException {
    SlurmCommands.Output out = commands.run(List.of("scontrol", "show", "job", "-o"));
    if (!out.ok()) {
      throw failure(out, DrmCommunicationException::new);
    }
    Map<String, JobRecord> byId = new HashMap<>();
    for (JobRecord record : JobRecord.parseAll(out.stdout())) {
      byId.putIfAbsent(record.jobId(), record);
      for (String id : record.drmaaIds()) {
        byId.put(id, record);
      }
    }
    return byId;
  }

  void cancel(String id) throws DrmaaException {
    SlurmCommands.Output out = commands.run(List.of("scancel", id));
    if (!out.ok()) {
      throw failure(out, DeniedByDrmException::new);
    }
  }

  /**
   * {@code scontrol VERB ID} (uhold, release, suspend, resume); a refusal that is not one of the
   * common failures becomes {@code refused}'s exception.
   */
  void scontrol(String verb, String id, Function<String, DrmaaException> refused)
      throws DrmaaException {
    SlurmCommands.Output out = commands.run(List.of("scontrol", verb, id));
    if (!out.ok()) {
      throw failure(out, refused);
    }
  }

  /** {@code scontrol show partition NAME}: empty when Slurm has no such partition. */
  Optional<String> partition(String name) throws DrmaaException {
    SlurmCommands.Output out = commands.run(List.of("scontrol", "show", "partition", "-o", name));
    if (out.ok()) {
      return Optional.of(out.stdout().strip());
    }
    if (out.message().toLowerCase(Locale.ROOT).contains("not found")) {
      return Optional.empty();
    }
    throw failure(out, DrmCommunicationException::new);
  }

  /** {@code sinfo --version}: {@code slurm-wlm 22.05.8} gives {@code 22.05.8}. */
  String version() throws DrmaaException {
    SlurmCommands.Output out = commands.run(List.of("sinfo", "--version"));
    String text = out.stdout().strip();
    if (!out.ok() || text.isEmpty()) {
      throw failure(out, DrmCommunicationException::new);
    }
    String[] words = text.split("\\s+");
    return words[words.length - 1];
  }

  /** Slurm's failures as DRMAA's: the common ones by message, others as {@code fallback}. */
  static DrmaaException failure(
      SlurmCommands.Output out, Function<String, DrmaaException> fallback) {
    String message = out.commandLine() + ": " + out.message();
    String lower = out.message().toLowerCase(Locale.ROOT);
    if (lower.contains("invalid job id")) {
      return new InvalidJobException(message);
    }
    if (lower.contains("access/permission denied")
        || lower.contains("access denied")
        || lower.contains("permission denied")) {
      return new AuthorizationException(message);
    }
    if (lower.contains("unable to contact slurm controller")
        || lower.contains("socket timed out")
        || lower.contains("configuration")
        || lower.contains("connection refused")
        || lower.contains("zero bytes were transmitted")) {
      return new DrmCommunicationException(message);
    }
    if (lower.contains("temporarily unable") || lower.contains("try again")) {
      return new TryLaterException(message);
    }
    return fallback.apply(message);
  }
}
