package surge.jobs.control;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.BitSet;
import java.util.Optional;

/**
 * What the jobs' writers ask of state shared with other server instances (surge.cluster): which
 * task results this instance may still write, who merges, what a job's progress is over all
 * instances. A single instance shares nothing: {@link #NONE} admits every write and merges what its
 * own dispatcher completes, as before there were several.
 */
public interface SharedState {
  /** Several instances share the database: jobs are claimed, not queued at submission. */
  boolean on();

  /**
   * A job was stored in this transaction: its tasks become claimable when it commits, best job
   * first (priority, then the earliest deadline; {@code deadline} may be null).
   */
  void accepted(Connection c, long job, int tasks, int priority, Instant deadline)
      throws SQLException;

  /** A job was committed: claim some of its tasks soon. */
  void submitted(long job);

  /**
   * Marks done, in the caller's transaction, the tasks whose results this instance may write (it
   * still holds their claim under its current lease); the set holds the positions admitted.
   */
  BitSet admit(Connection c, long[] jobs, int[] indices) throws SQLException;

  /** An accepted result was thrown away: the task is this instance's to run again. */
  void reopen(Connection c, long job, int index) throws SQLException;

  /** The job failed or was cancelled in this transaction: nobody runs or merges it any more. */
  void ended(Connection c, long job) throws SQLException;

  /**
   * A batch of this instance's writes committed: if it stored the last result this instance held of
   * a job, that job's merge may be claimed now.
   */
  void committed();

  /** False when the merge of this job is no longer this instance's to store (fenced). */
  boolean mayStoreMerge(Connection c, long job) throws SQLException;

  /** The job's tasks as all instances see them; empty when nothing is shared. */
  Optional<TaskCounts> counts(long job);

  /** Tasks waiting to be claimed, claimed by a live or lapsed instance, and done. */
  record TaskCounts(int pending, int claimed, int done) {}

  SharedState NONE =
      new SharedState() {
        @Override
        public boolean on() {
          return false;
        }

        @Override
        public void accepted(Connection c, long job, int tasks, int priority, Instant deadline) {}

        @Override
        public void submitted(long job) {}

        @Override
        public BitSet admit(Connection c, long[] jobs, int[] indices) {
          var all = new BitSet(jobs.length);
          all.set(0, jobs.length);
          return all;
        }

        @Override
        public void reopen(Connection c, long job, int index) {}

        @Override
        public void ended(Connection c, long job) {}

        @Override
        public void committed() {}

        @Override
        public boolean mayStoreMerge(Connection c, long job) {
          return true;
        }

        @Override
        public Optional<TaskCounts> counts(long job) {
          return Optional.empty();
        }
      };
}
