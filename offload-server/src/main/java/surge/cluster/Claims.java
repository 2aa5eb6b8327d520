package surge.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import surge.jobs.control.SharedState.TaskCounts;

/**
 * The SQL of task and merge claims on PostgreSQL: every statement the cluster sends, each one round
 * trip (a JDBC batch counts as one), counted so the cost per task can be measured. Times are the
 * database's ({@code now()}), so instances' clocks need not agree.
 */
public final class Claims {
  /** Round trips sent. */
  final LongAdder statements = new LongAdder();

  /** One row per task, with the job's priority and deadline: the order claims follow. */
  private static final String ADD_TASKS =
      "insert into task_claims (job_id, task_index, state, priority, deadline)"
          + " select ?, g, 'PENDING', ?, ? from generate_series(0, ? - 1) g";

  private static final String ADD_MERGE = "insert into merge_claims (job_id) values (?)";

  /**
   * Up to n pending tasks, best job first as the dispatcher orders them (priority, deadline, age),
   * then in task order, skipping rows another instance is claiming this instant; nothing unless the
   * claimer's lease is live now, so a lapsed instance claims nothing.
   */
  private static final String CLAIM =
      "with c as (select job_id, task_index from task_claims"
          + " where state = 'PENDING' and exists (select 1 from cluster_instances"
          + " where epoch = ? and lease_until > now())"
          + " order by priority desc, deadline, job_id, task_index limit ? for update skip locked)"
          + " update task_claims t set state = 'CLAIMED', owner = ?, owner_epoch = ?"
          + " from c where t.job_id = c.job_id and t.task_index = c.task_index"
          + " returning t.job_id, t.task_index";

  /**
   * Ends every lapsed lease and, in the same statement, hands back its task and merge claims: a
   * claim never names an instance row that is gone.
   */
  private static final String RECLAIM =
      "with dead as (delete from cluster_instances where lease_until < now() returning epoch),"
          + " m as (update merge_claims set owner = null, owner_epoch = null, claimed_at = null"
          + " where owner_epoch in (select epoch from dead) returning job_id)"
          + " update task_claims set state = 'PENDING', owner = null, owner_epoch = null"
          + " where state = 'CLAIMED' and owner_epoch in (select epoch from dead)";

  /** The fence: a result is written only while its claim still names this lease. */
  private static final String DONE =
      "update task_claims set state = 'DONE' where job_id = ? and task_index = ?"
          + " and state = 'CLAIMED' and owner = ? and owner_epoch = ?"
          // and only while that lease is live: a frozen instance that wakes after its lease
          // lapsed writes nothing even before another instance's reclaim has run.
          + " and exists (select 1 from cluster_instances where epoch = ? and lease_until > now())";

  private static final String REOPEN =
      "update task_claims set state = 'CLAIMED', owner = ?, owner_epoch = ?"
          + " where job_id = ? and task_index = ?";

  /** Jobs whose tasks are all done and whose merge nobody holds; the claim is taken at once. */
  private static final String CLAIM_MERGES =
      "update merge_claims m set owner = ?, owner_epoch = ?, claimed_at = now()"
          + " where m.job_id in (select job_id from merge_claims q where q.owner_epoch is null"
          // Probes the runnable index (state, job_id, ...), not every row of the job.
          + " and not exists (select 1 from task_claims t where t.state in ('PENDING', 'CLAIMED')"
          + " and t.job_id = q.job_id)"
          + " and exists (select 1 from cluster_instances where epoch = ? and lease_until > now())"
          + " order by q.job_id limit ? for update skip locked)"
          + " returning m.job_id";

  /** The merge fence: only the holder of the merge claim stores the result; the claim goes. */
  private static final String MERGE_STORED =
      "delete from merge_claims where job_id = ? and owner_epoch = ?";

  private static final String DROP_TASKS = "delete from task_claims where job_id = ?";
  private static final String DROP_MERGE = "delete from merge_claims where job_id = ?";

  private static final String COUNTS =
      "select state, count(*) from task_claims where job_id = ? group by state";

  /** Tasks an instance no longer queues go back to the pool, if its lease still holds them. */
  private static final String HAND_BACK =
      "update task_claims set state = 'PENDING', owner = null, owner_epoch = null"
          + " where job_id = ? and task_index = any(?) and state = 'CLAIMED' and owner_epoch = ?";

  /** Released by an instance that stops cleanly, so others need not wait for its lease. */
  private static final String RELEASE =
      "update task_claims set state = 'PENDING', owner = null, owner_epoch = null"
          + " where state = 'CLAIMED' and owner_epoch = ?";

  private static final String RELEASE_MERGES =
      "update merge_claims set owner = null, owner_epoch = null, claimed_at = null"
          + " where owner_epoch = ?";

  /**
   * Unfinished jobs that have no claim rows (stored by a single instance before {@code
   * SURGE_CLUSTER=on}): one row per task, done where its output is stored, else pending. Safe to
   * run on several instances at once (existing rows are left alone).
   */
  private static final String ADOPT_TASKS =
      "insert into task_claims (job_id, task_index, state, priority, deadline)"
          + " select j.id, g, case when exists (select 1 from task_outputs o"
          + " where o.job_id = j.id and o.task_index = g) then 'DONE' else 'PENDING' end,"
          + " j.priority, j.deadline"
          + " from jobs j cross join lateral generate_series(0, j.task_count - 1) g"
          + " where j.state in ('QUEUED', 'RUNNING', 'MERGING')"
          + " and not exists (select 1 from merge_claims m where m.job_id = j.id)"
          + " on conflict do nothing";

  private static final String ADOPT_MERGES =
      "insert into merge_claims (job_id) select j.id from jobs j"
          + " where j.state in ('QUEUED', 'RUNNING', 'MERGING')"
          + " and not exists (select 1 from merge_claims m where m.job_id = j.id)"
          + " on conflict do nothing";

  /**
   * Gives unfinished jobs stored before the cluster was on their claim rows, so that they are
   * claimed, run and merged like any other: the number of jobs adopted.
   */
  public int adoptUnclaimed(Connection c) throws SQLException {
    try (var tasks = c.prepareStatement(ADOPT_TASKS);
        var merges = c.prepareStatement(ADOPT_MERGES)) {
      tasks.executeUpdate();
      statements.add(2);
      return merges.executeUpdate();
    }
  }

  /** A new job's rows: one per task, pending, and its merge claim, unheld. */
  public void addJob(Connection c, long job, int tasks, int priority, Instant deadline)
      throws SQLException {
    try (var add = c.prepareStatement(ADD_TASKS);
        var merge = c.prepareStatement(ADD_MERGE)) {
      add.setLong(1, job);
      add.setInt(2, priority);
      add.setObject(3, deadline == null ? null : deadline.atOffset(ZoneOffset.UTC));
      add.setInt(4, tasks);
      add.executeUpdate();
      merge.setLong(1, job);
      merge.executeUpdate();
    }
    statements.add(2);
  }

  /** Claims up to {@code max} pending tasks for lease {@code epoch}: by job, the indices won. */
  public Map<Long, BitSet> claim(Connection c, String owner, long epoch, int max)
      throws SQLException {
    Map<Long, BitSet> won = new LinkedHashMap<>();
    try (var claim = c.prepareStatement(CLAIM)) {
      claim.setLong(1, epoch);
      claim.setInt(2, max);
      claim.setString(3, owner);
      claim.setLong(4, epoch);
      try (var rows = claim.executeQuery()) {
        while (rows.next()) {
          won.computeIfAbsent(rows.getLong(1), j -> new BitSet()).set(rows.getInt(2));
        }
      }
    }
    statements.increment();
    return won;
  }

  /** Ends lapsed leases and hands their task claims back; the number of tasks handed back. */
  public int reclaim(Connection c) throws SQLException {
    try (var reclaim = c.prepareStatement(RECLAIM)) {
      statements.increment();
      return reclaim.executeUpdate();
    }
  }

  /** The fence for results, as one batch: which of the given tasks this lease may write. */
  public BitSet done(Connection c, String owner, long epoch, long[] jobs, int[] indices)
      throws SQLException {
    var admitted = new BitSet(jobs.length);
    if (jobs.length == 0) {
      return admitted;
    }
    try (PreparedStatement done = c.prepareStatement(DONE)) {
      for (int i = 0; i < jobs.length; i++) {
        done.setLong(1, jobs[i]);
        done.setInt(2, indices[i]);
        done.setString(3, owner);
        done.setLong(4, epoch);
        done.setLong(5, epoch);
        done.addBatch();
      }
      int[] counts = done.executeBatch();
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] > 0) {
          admitted.set(i);
        }
      }
    }
    statements.increment();
    return admitted;
  }

  public void reopen(Connection c, String owner, long epoch, long job, int index)
      throws SQLException {
    try (var reopen = c.prepareStatement(REOPEN)) {
      reopen.setString(1, owner);
      reopen.setLong(2, epoch);
      reopen.setLong(3, job);
      reopen.setInt(4, index);
      reopen.executeUpdate();
    }
    statements.increment();
  }

  /** Claims the merge of up to {@code max} jobs whose tasks are all done: the jobs won. */
  public List<Long> claimMerges(Connection c, String owner, long epoch, int max)
      throws SQLException {
    List<Long> won = new ArrayList<>();
    try (var claim = c.prepareStatement(CLAIM_MERGES)) {
      claim.setString(1, owner);
      claim.setLong(2, epoch);
      claim.setLong(3, epoch);
      claim.setInt(4, max);
      try (var rows = claim.executeQuery()) {
        while (rows.next()) {
          won.add(rows.getLong(1));
        }
      }
    }
    statements.increment();
    return won;
  }

  /**
   * The merge fence: true (and the job's claims are gone) if lease {@code epoch} still holds the
   * job's merge claim; false if another instance took it over, which then stores the result.
   */
  public boolean mergeStored(Connection c, long job, long epoch) throws SQLException {
    try (var stored = c.prepareStatement(MERGE_STORED)) {
      stored.setLong(1, job);
      stored.setLong(2, epoch);
      statements.increment();
      if (stored.executeUpdate() == 0) {
        return false;
      }
    }
    dropTasks(c, job);
    return true;
  }

  /** The job ended (failed, cancelled): its rows go, so nobody claims or merges it. */
  public void ended(Connection c, long job) throws SQLException {
    dropTasks(c, job);
    try (var merge = c.prepareStatement(DROP_MERGE)) {
      merge.setLong(1, job);
      merge.executeUpdate();
    }
    statements.increment();
  }

  private void dropTasks(Connection c, long job) throws SQLException {
    try (var drop = c.prepareStatement(DROP_TASKS)) {
      drop.setLong(1, job);
      drop.executeUpdate();
    }
    statements.increment();
  }

  /** Hands tasks of one job back to the pool: the number handed back. */
  public int handBack(Connection c, long epoch, long job, BitSet indices) throws SQLException {
    try (var back = c.prepareStatement(HAND_BACK)) {
      back.setLong(1, job);
      back.setArray(2, c.createArrayOf("integer", indices.stream().boxed().toArray()));
      back.setLong(3, epoch);
      statements.increment();
      return back.executeUpdate();
    }
  }

  /** Hands back what lease {@code epoch} holds (a clean stop). */
  public void release(Connection c, long epoch) throws SQLException {
    try (var tasks = c.prepareStatement(RELEASE);
        var merges = c.prepareStatement(RELEASE_MERGES)) {
      tasks.setLong(1, epoch);
      tasks.executeUpdate();
      merges.setLong(1, epoch);
      merges.executeUpdate();
    }
    statements.add(2);
  }

  /** The job's tasks by state; all zero once its rows are gone (it ended). */
  public TaskCounts counts(Connection c, long job) throws SQLException {
    int pending = 0;
    int claimed = 0;
    int done = 0;
    try (var counts = c.prepareStatement(COUNTS)) {
      counts.setLong(1, job);
      try (var rows = counts.executeQuery()) {
        while (rows.next()) {
          int n = rows.getInt(2);
          switch (rows.getString(1)) {
            case "PENDING" -> pending = n;
            case "CLAIMED" -> claimed = n;
            default -> done = n;
          }
        }
      }
    }
    statements.increment();
    return new TaskCounts(pending, claimed, done);
  }

  /** Round trips sent so far. */
  public long statements() {
    return statements.sum();
  }
}
