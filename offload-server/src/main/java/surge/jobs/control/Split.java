package surge.jobs.control;

import surge.jobs.entity.SplitMode;

/**
 * Cuts an input into N contiguous chunks, one per task: by whole lines (chunk sizes differ by at
 * most one line) or by bytes (sizes differ by at most one byte). Chunk {@code i} spans {@code
 * [bounds[i], bounds[i+1])}; chunks may be empty when there are more tasks than lines.
 */
public final class Split {
  private Split() {}

  public static int[] bounds(byte[] input, SplitMode mode, int tasks) {
    return switch (mode) {
      case BYTES -> byBytes(input.length, tasks);
      case LINES -> byLines(input, tasks);
    };
  }

  private static int[] byBytes(int size, int tasks) {
    int[] b = new int[tasks + 1];
    for (int i = 0; i <= tasks; i++) {
      b[i] = (int) ((long) i * size / tasks);
    }
    return b;
  }

  private static int[] byLines(byte[] input, int tasks) {
    // lineStarts[k] = offset where line k starts; a last line without '\n' still counts.
    int lines = 0;
    for (int i = 0; i < input.length; i++) {
      if (input[i] == '\n' || i == input.length - 1) {
        lines++;
      }
    }
    int[] lineStarts = new int[lines + 1];
    int k = 0;
    for (int i = 0; i < input.length; i++) {
      if (input[i] == '\n' || i == input.length - 1) {
        lineStarts[++k] = i + 1;
      }
    }
    int[] b = new int[tasks + 1];
    for (int i = 0; i <= tasks; i++) {
      b[i] = lineStarts[(int) ((long) i * lines / tasks)];
    }
    return b;
  }
}
