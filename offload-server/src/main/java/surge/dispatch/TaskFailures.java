package surge.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The failures one task has had, one per volunteer. A volunteer's failure is its word only (a
 * forged {@code exit} costs nothing to send), so the task is retried on another volunteer, and the
 * job fails only when enough distinct volunteers agree; the job's error then quotes each of them.
 */
final class TaskFailures {
  /**
   * What one volunteer reported, its stderr already bounded and cleaned. {@code identity} is who it
   * is across sessions (its key or consent): the quorum counts identities, so one key's or one
   * browser's several sessions are one voice; {@code volunteer} (the session) is what is quoted.
   */
  record Report(
      String volunteer, String identity, String what, OptionalInt exitCode, String stderrTail) {
    Report(String volunteer, String what, OptionalInt exitCode, String stderrTail) {
      this(volunteer, volunteer, what, exitCode, stderrTail);
    }
  }

  /** The stderr kept of one report; the job's stderr tail shares it among the reports. */
  static final int STDERR_TAIL = 4096;

  // A job's error message is stored in 2000 characters (the Job entity).
  private static final int MESSAGE_PER_VOLUNTEER = 160;

  private final List<Report> reports = new ArrayList<>(3);

  /** False if this volunteer had failed the task already (its report is then not counted again). */
  boolean add(Report report) {
    if (failedOn(report.identity())) {
      return false;
    }
    reports.add(report);
    return true;
  }

  /** Whether the identity {@code identity} has failed the task. */
  boolean failedOn(String identity) {
    for (Report r : reports) {
      if (r.identity().equals(identity)) {
        return true;
      }
    }
    return false;
  }

  int count() {
    return reports.size();
  }

  /**
   * Whether the task has failed for good: on {@code maxFailures} distinct identities, or on every
   * identity connected now (no one is left to try it; a lone volunteer is its own quorum).
   */
  boolean decisive(int maxFailures, Set<String> connected) {
    if (reports.size() >= maxFailures) {
      return true;
    }
    for (String v : connected) {
      if (!failedOn(v)) {
        return false;
      }
    }
    return true;
  }

  /** The job's failure, quoting every volunteer that failed the task. */
  JobFailure failure(int index, int maxFailures) {
    var message =
        new StringBuilder()
            .append("task ")
            .append(index)
            .append(" failed on ")
            .append(reports.size())
            .append(reports.size() == 1 ? " volunteer" : " distinct volunteers")
            .append(" (SURGE_MAX_FAILURES=")
            .append(maxFailures)
            .append("): ");
    var stderr = new StringBuilder();
    OptionalInt exitCode = OptionalInt.empty();
    int share = STDERR_TAIL / reports.size();
    for (int i = 0; i < reports.size(); i++) {
      Report r = reports.get(i);
      String what = r.volunteer() + " " + r.what();
      message.append(i == 0 ? "" : "; ").append(VolunteerText.tail(what, MESSAGE_PER_VOLUNTEER));
      if (r.exitCode().isPresent()) {
        exitCode = r.exitCode();
      }
      if (!r.stderrTail().isEmpty()) {
        String tail = VolunteerText.tail(r.stderrTail(), share);
        if (reports.size() == 1) {
          stderr.append(tail);
        } else {
          stderr.append("--- ").append(r.volunteer()).append(" ---\n").append(tail);
          stderr.append(tail.endsWith("\n") ? "" : "\n");
        }
      }
    }
    return new JobFailure(
        message.toString(),
        OptionalInt.of(index),
        exitCode,
        stderr.isEmpty() ? Optional.empty() : Optional.of(stderr.toString()));
  }
}
