package surge.slurm;

import java.util.LinkedHashMap;
import java.util.Map;

/** One line of {@code scontrol show job -o}: its {@code Key=value} fields, in order. */
public final class JobFields {
  private JobFields() {}

  /**
   * Values may hold blanks (Comment, Command, paths), so a field ends where a blank is followed by
   * the next {@code Key=}: a capital letter, then letters, digits, '/', ':' or '_'.
   */
  public static Map<String, String> parse(String line) {
    Map<String, String> fields = new LinkedHashMap<>();
    int start = 0;
    while (start < line.length()) {
      int eq = line.indexOf('=', start);
      if (eq < 0) {
        break;
      }
      String key = line.substring(start, eq);
      int next = nextField(line, eq + 1);
      fields.put(key, line.substring(eq + 1, next < 0 ? line.length() : next).strip());
      start = next < 0 ? line.length() : next + 1;
    }
    return fields;
  }

  private static int nextField(String line, int from) {
    for (int blank = line.indexOf(' ', from); blank >= 0; blank = line.indexOf(' ', blank + 1)) {
      int i = blank + 1;
      if (i >= line.length() || !Character.isUpperCase(line.charAt(i))) {
        continue;
      }
      while (i < line.length() && isKeyChar(line.charAt(i))) {
        i++;
      }
      if (i < line.length() && line.charAt(i) == '=') {
        return blank;
      }
    }
    return -1;
  }

  private static boolean isKeyChar(char c) {
    return Character.isLetterOrDigit(c) || c == '/' || c == ':' || c == '_';
  }
}
