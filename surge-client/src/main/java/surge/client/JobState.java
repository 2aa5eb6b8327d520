package surge.client;

/** The life cycle of a job on the server; the last three states are final. */
public enum JobState {
  QUEUED,
  RUNNING,
  MERGING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean isEnded() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
