package surge.jobs.entity;

/** How an input file is cut into one contiguous chunk per task. */
public enum SplitMode {
  LINES,
  BYTES
}
