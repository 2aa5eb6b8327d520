package surge.jobs.entity;

/** The life of a job. The last three are final. */
public enum JobState {
  QUEUED,
  RUNNING,
  MERGING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean ended() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
