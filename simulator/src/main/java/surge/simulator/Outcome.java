package surge.simulator;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one simulated job did. Work shares are of the job's own work (the sum of its tasks' lengths
 * on a device of speed 1); messages count both directions, heartbeats included, from the job's
 * submission to its end.
 *
 * @param scenario what was simulated
 * @param finished whether every task was accepted before the scenario's limit
 * @param makespanMs from submission to the last task accepted
 * @param tasksDone tasks accepted
 * @param visitors sessions present at submission plus visitors that arrived during the job
 * @param turnedAway of those, turned away at maxSessions
 * @param sessionsWithResult sessions that returned at least one result during the job
 * @param meanSessions mean number of sessions present during the job
 * @param peakSessions most sessions present at once
 * @param messages messages between volunteers and the server during the job
 * @param messagesPerTask messages over the job's tasks
 * @param messagesPerSecond messages over the makespan
 * @param lostShare work cut short by departures or cancelled copies, over the job's work
 * @param replicaShare work on replicas for verification, over the job's work
 * @param spotShare work on spot checks, over the job's work
 * @param requeued tasks put back in the queue (departures, replication)
 * @param duplicates tail copies the policy asked for
 * @param spotChecks spot-check tasks handed out
 * @param checkpoints checkpoints sent
 * @param resultsIgnored results that came back after their task was settled
 */
public record Outcome(
    Scenario scenario,
    boolean finished,
    double makespanMs,
    int tasksDone,
    long visitors,
    long turnedAway,
    long sessionsWithResult,
    double meanSessions,
    int peakSessions,
    long messages,
    double messagesPerTask,
    double messagesPerSecond,
    double lostShare,
    double replicaShare,
    double spotShare,
    long requeued,
    long duplicates,
    long spotChecks,
    long checkpoints,
    long resultsIgnored) {

  /** The figures (without the scenario), by name. */
  public Map<String, Object> figures() {
    Map<String, Object> f = new LinkedHashMap<>();
    for (var c : Outcome.class.getRecordComponents()) {
      if (c.getName().equals("scenario")) {
        continue;
      }
      try {
        f.put(c.getName(), c.getAccessor().invoke(this));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return f;
  }

  /** One line of text for the console. */
  public String line() {
    return String.format(
        Locale.ROOT,
        "%s shape %.2f %s: makespan %.1f s, %d visitors, %d with a result, %.1f sessions,"
            + " %.2f msgs/task, %.1f msgs/s, lost %.1f %%%s",
        scenario.policy(),
        scenario.shape(),
        scenario.constant() ? "constant" : "churn",
        makespanMs / 1000,
        visitors,
        sessionsWithResult,
        meanSessions,
        messagesPerTask,
        messagesPerSecond,
        lostShare * 100,
        finished ? "" : " (NOT FINISHED)");
  }
}
