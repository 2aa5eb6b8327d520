package surge.jobs.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** The standard output of one finished task, kept until the job is merged. */
@Entity
@Table(name = "task_outputs")
@IdClass(TaskOutput.Key.class)
public class TaskOutput {
  /**
   * The journal's insert without the entity machinery (surge.jobs.control.Journal): its columns.
   */
  public static final String INSERT =
      "insert into task_outputs (job_id, task_index, stdout, millis) values (?, ?, ?, ?)";

  @Id
  @Column(name = "job_id")
  private long jobId;

  @Id
  @Column(name = "task_index")
  private int taskIndex;

  @Column(name = "stdout", nullable = false, length = 256 << 20)
  private byte[] stdout;

  @Column(name = "millis", nullable = false)
  private double millis;

  protected TaskOutput() {}

  public TaskOutput(long jobId, int taskIndex, byte[] stdout, double millis) {
    this.jobId = jobId;
    this.taskIndex = taskIndex;
    this.stdout = stdout;
    this.millis = millis;
  }

  public int taskIndex() {
    return taskIndex;
  }

  public byte[] stdout() {
    return stdout;
  }

  /** The composite primary key (job, task index). */
  public static class Key implements Serializable {
    private long jobId;
    private int taskIndex;

    protected Key() {}

    public Key(long jobId, int taskIndex) {
      this.jobId = jobId;
      this.taskIndex = taskIndex;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.jobId == jobId && k.taskIndex == taskIndex;
    }

    @Override
    public int hashCode() {
      return Objects.hash(jobId, taskIndex);
    }
  }
}
