package surge.quotas.control;

import java.util.List;
import surge.jobs.entity.JobState;
import surge.persistence.Database;

/**
 * A user's use as the database has it: jobs by their owner, inputs by the uploads that gave the
 * user access to them (an input several users uploaded counts for each: each could store it alone),
 * results by the owner of their job. Counted afresh at each check: a few indexed aggregates per
 * submission cost less than keeping counters right across restarts, merges and cancels.
 */
public final class StoredUsage implements Quotas.Usage {
  private static final List<JobState> UNFINISHED =
      List.of(JobState.QUEUED, JobState.RUNNING, JobState.MERGING);
  private static final List<JobState> NOT_MERGING = List.of(JobState.QUEUED, JobState.RUNNING);

  private final Database db;

  public StoredUsage(Database db) {
    this.db = db;
  }

  @Override
  public long unfinishedJobs(String user) {
    return db.transaction(
        s ->
            s.createSelectionQuery(
                    "select count(j) from Job j where j.owner = :user and j.state in (:states)",
                    Long.class)
                .setParameter("user", user)
                .setParameterList("states", UNFINISHED)
                .getSingleResult());
  }

  @Override
  public long queuedTasks(String user) {
    return db.transaction(
        s ->
            s.createSelectionQuery(
                    "select coalesce(sum(j.taskCount - j.tasksDone), 0) from Job j"
                        + " where j.owner = :user and j.state in (:states)",
                    Long.class)
                .setParameter("user", user)
                .setParameterList("states", NOT_MERGING)
                .getSingleResult());
  }

  @Override
  public long inputBytes(String user) {
    return db.transaction(
        s ->
            s.createSelectionQuery(
                    "select coalesce(sum(i.size), 0) from InputUpload u, Input i"
                        + " where u.sha256 = i.sha256 and u.owner = :user",
                    Long.class)
                .setParameter("user", user)
                .getSingleResult());
  }

  @Override
  public long resultBytes(String user) {
    return db.transaction(
        s ->
            s.createSelectionQuery(
                    "select coalesce(sum(j.resultSize), 0) from Job j"
                        + " where j.owner = :user and j.state = :state",
                    Long.class)
                .setParameter("user", user)
                .setParameter("state", JobState.SUCCEEDED)
                .getSingleResult());
  }
}
