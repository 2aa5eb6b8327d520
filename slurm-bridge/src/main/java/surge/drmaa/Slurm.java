package surge.drmaa;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
import surge.slurmcommon.command.CommandRunner;
import surge.slurmcommon.command.JobRecord;
import surge.slurmcommon.command.Output;
import surge.slurmcommon.command.SlurmAnswer;
import surge.slurmcommon.command.SlurmException;

/**
 * The Slurm commands the session needs, with Slurm's answers ({@link SlurmAnswer}, the one reading
 * of them in {@code slurm-common}) as DRMAA's exceptions. Every message carries the command and
 * Slurm's own words.
 */
final class Slurm {
  private final CommandRunner commands;

  Slurm(CommandRunner commands) {
    this.commands = commands;
  }

  /** Runs a command; one that cannot start or does not answer in time cannot reach Slurm. */
  private Output run(List<String> command, Optional<String> stdin) throws DrmaaException {
    try {
      return commands.run(command, stdin);
    } catch (SlurmException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InternalException("interrupted while running " + String.join(" ", command));
      }
      throw new DrmCommunicationException(e.getMessage());
    }
  }

  private Output run(List<String> command) throws DrmaaException {
    return run(command, Optional.empty());
  }

  /** {@code sbatch --parsable ...} with the script on stdin; answers the job id. */
  String submit(SbatchRequest request) throws DrmaaException {
    List<String> command = new ArrayList<>();
    command.add("sbatch");
    command.addAll(request.options());
    Output out = run(command, Optional.of(request.script()));
    if (!out.ok()) {
      if (SlurmAnswer.of(out) == SlurmAnswer.INVALID_OPTION) {
        throw new InvalidAttributeValueException(
            "nativeSpecification: sbatch refused an option: " + out.message());
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
    Output out = run(List.of("scontrol", "show", "job", "-o", id));
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
    Output out = run(List.of("scontrol", "show", "job", "-o"));
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
    Output out = run(List.of("scancel", id));
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
    Output out = run(List.of("scontrol", verb, id));
    if (!out.ok()) {
      throw failure(out, refused);
    }
  }

  /** {@code scontrol show partition NAME}: empty when Slurm has no such partition. */
  Optional<String> partition(String name) throws DrmaaException {
    Output out = run(List.of("scontrol", "show", "partition", "-o", name));
    if (out.ok()) {
      return Optional.of(out.stdout().strip());
    }
    if (SlurmAnswer.of(out) == SlurmAnswer.UNKNOWN_PARTITION) {
      return Optional.empty();
    }
    throw failure(out, DrmCommunicationException::new);
  }

  /** {@code sinfo --version}: {@code slurm-wlm 22.05.8} gives {@code 22.05.8}. */
  String version() throws DrmaaException {
    Output out = run(List.of("sinfo", "--version"));
    String text = out.stdout().strip();
    if (!out.ok() || text.isEmpty()) {
      throw failure(out, DrmCommunicationException::new);
    }
    String[] words = text.split("\\s+");
    return words[words.length - 1];
  }

  /** Slurm's answers as DRMAA's exceptions: the common ones by kind, others as {@code fallback}. */
  static DrmaaException failure(Output out, Function<String, DrmaaException> fallback) {
    String message = out.commandLine() + ": " + out.message();
    return switch (SlurmAnswer.of(out)) {
      case UNKNOWN_JOB -> new InvalidJobException(message);
      case PERMISSION_DENIED -> new AuthorizationException(message);
      case UNREACHABLE -> new DrmCommunicationException(message);
      case TRY_LATER -> new TryLaterException(message);
      default -> fallback.apply(message);
    };
  }
}
