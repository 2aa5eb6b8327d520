package surge.drmaa;

import java.nio.file.Path;
import org.ggf.drmaa.InvalidAttributeValueException;
import org.ggf.drmaa.JobTemplate;

/**
 * A DRMAA path attribute ({@code [host]:path}, with placeholders) turned into what sbatch takes.
 * Slurm writes and reads these files on the node that runs the job, in the user's file system, so
 * the host part may only name this host (or be empty): files are not transferred.
 */
final class DrmaaPath {
  /** Slurm's array index in a file name pattern ({@code --output=out.%a}). */
  static final String SLURM_ARRAY_INDEX = "%a";

  private DrmaaPath() {}

  /** The path after an optional {@code host:} prefix. */
  static String pathPart(String value) {
    int colon = value.indexOf(':');
    return colon < 0 ? value : value.substring(colon + 1);
  }

  static String hostPart(String value) {
    int colon = value.indexOf(':');
    return colon < 0 ? "" : value.substring(0, colon);
  }

  /**
   * An input, output or error path as an sbatch file name pattern: {@code $drmaa_hd_ph$} is the
   * home directory, {@code $drmaa_wd_ph$} the job's working directory, {@code $drmaa_incr_ph$}
   * Slurm's {@code %a} (bulk jobs only); any other {@code %} is doubled so that Slurm keeps it.
   */
  static String filePattern(String attribute, String value, Site site, Path workDir, boolean bulk)
      throws InvalidAttributeValueException {
    String host = hostPart(value);
    if (!host.isEmpty() && !site.isLocal(host)) {
      throw new InvalidAttributeValueException(
          attribute
              + ": '"
              + value
              + "' names host '"
              + host
              + "'; Slurm reads and writes job files on the job's node in the submitting user's"
              + " file system, so the host part may be empty or name this host");
    }
    String path = pathPart(value);
    if (path.isEmpty()) {
      throw new InvalidAttributeValueException(attribute + ": '" + value + "' has no path");
    }
    if (path.indexOf('\\') >= 0) {
      // sbatch turns off all of its file name patterns, %a too, when a name holds a backslash
      throw new InvalidAttributeValueException(
          attribute + ": '" + value + "' holds a backslash, which Slurm file names cannot carry");
    }
    String prefix = "";
    if (path.startsWith(JobTemplate.HOME_DIRECTORY)) {
      prefix = site.home().toString();
      path = path.substring(JobTemplate.HOME_DIRECTORY.length());
    } else if (path.startsWith(JobTemplate.WORKING_DIRECTORY)) {
      prefix = workDir.toString();
      path = path.substring(JobTemplate.WORKING_DIRECTORY.length());
    }
    String[] pieces = path.split(java.util.regex.Pattern.quote(JobTemplate.PARAMETRIC_INDEX), -1);
    if (pieces.length > 1 && !bulk) {
      throw new InvalidAttributeValueException(
          attribute
              + ": "
              + JobTemplate.PARAMETRIC_INDEX
              + " stands for a bulk job's index; runJob has none (use runBulkJobs)");
    }
    StringBuilder pattern = new StringBuilder(prefix.replace("%", "%%"));
    for (int i = 0; i < pieces.length; i++) {
      if (i > 0) {
        pattern.append(SLURM_ARRAY_INDEX);
      }
      pattern.append(pieces[i].replace("%", "%%"));
    }
    return pattern.toString();
  }
}
