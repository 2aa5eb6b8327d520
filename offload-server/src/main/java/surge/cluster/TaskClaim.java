package surge.cluster;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;
import surge.jobs.entity.TaskOutput;

/**
 * Who runs task {@code taskIndex} of a job: nobody yet, an instance under one lease (its epoch), or
 * done. One row per task, written with the job; deleted when the job ends. Written only by {@link
 * Claims} in SQL; the entity is here for the schema.
 */
@Entity
@Table(
    name = "task_claims",
    indexes = {
      // The claim query: pending rows in job and task order (PostgreSQL may make this partial:
      // WHERE state = 'PENDING').
      @Index(
          name = "task_claims_runnable",
          columnList = "state, priority desc, deadline, job_id, task_index"),
      // Reclaiming a dead lease's rows.
      @Index(name = "task_claims_owner", columnList = "owner_epoch")
    })
@IdClass(TaskOutput.Key.class) // the same (job, task index) key as the task's output
public class TaskClaim {
  /** Where a task stands in the cluster. */
  public enum State {
    PENDING,
    CLAIMED,
    DONE
  }

  @Id
  @Column(name = "job_id")
  private long jobId;

  @Id
  @Column(name = "task_index")
  private int taskIndex;

  @Enumerated(EnumType.STRING)
  @Column(name = "state", nullable = false, length = 8)
  private State state;

  @Column(name = "owner", length = 200)
  private String owner;

  @Column(name = "owner_epoch")
  private Long ownerEpoch;

  /** The job's, copied when the rows are written: claims are taken best job first. */
  @Column(name = "priority", nullable = false)
  private int priority;

  @Column(name = "deadline")
  private Instant deadline;

  protected TaskClaim() {}

  public State state() {
    return state;
  }
}
