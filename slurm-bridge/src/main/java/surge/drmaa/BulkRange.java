package surge.drmaa;

import java.util.ArrayList;
import java.util.List;

/** The indices of {@code runBulkJobs(template, start, end, incr)}: one Slurm job array. */
record BulkRange(int start, int end, int incr) {

  BulkRange {
    if (start < 1 || end < start || incr < 1) {
      throw new IllegalArgumentException(
          "bulk job indices need 1 <= start <= end and incr >= 1, got start="
              + start
              + " end="
              + end
              + " incr="
              + incr);
    }
  }

  /** The last index actually used: {@code end} itself or the one below it on the step. */
  int last() {
    return start + (end - start) / incr * incr;
  }

  /** sbatch's {@code --array} value. */
  String arraySpec() {
    if (start == last()) {
      return Integer.toString(start);
    }
    return start + "-" + last() + (incr == 1 ? "" : ":" + incr);
  }

  /** The DRMAA ids of the elements: {@code ARRAYID_INDEX}, the ids Slurm's commands accept. */
  List<String> ids(String arrayJobId) {
    List<String> ids = new ArrayList<>();
    for (long i = start; i <= end; i += incr) {
      ids.add(arrayJobId + "_" + i);
    }
    return ids;
  }
}
