package surge.jobs.entity;

/** How task outputs become the job's result. */
public enum MergeKind {
  /** Outputs one after another in task order. */
  CONCAT,
  /** Element-wise sum of the numbers in each output, in the layout of task 0's output. */
  SUM,
  /** A reducer kernel receives all outputs on stdin and prints the result. */
  REDUCE
}
