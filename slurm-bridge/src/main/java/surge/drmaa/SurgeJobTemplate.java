package surge.drmaa;

import java.util.HashSet;
import java.util.Set;
import org.ggf.drmaa.InvalidAttributeValueException;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.SimpleJobTemplate;

/**
 * The job template of this binding: the required attributes of {@link SimpleJobTemplate} and, of
 * the optional ones, {@code hardWallclockTimeLimit} (sbatch's {@code --time}). The other optional
 * attributes (transferFiles, deadlineTime, the soft wallclock limit and both run-duration limits)
 * throw the spec's {@code UnsupportedAttributeException}, as the base class does, because Slurm has
 * nothing that honours them.
 *
 * <p>Paths are checked here in the binding's own syntax {@code [host]:path}, whose placeholders
 * {@code $drmaa_hd_ph$} and {@code $drmaa_wd_ph$} begin the path part after the colon.
 */
final class SurgeJobTemplate extends SimpleJobTemplate {
  private static final long serialVersionUID = 1L;

  private long hardWallclockTimeLimit;
  private volatile boolean deleted;

  @Override
  public void setHardWallclockTimeLimit(long seconds) throws InvalidAttributeValueException {
    if (seconds < 0) {
      throw new InvalidAttributeValueException(
          "hardWallclockTimeLimit: " + seconds + " s is negative (0 means no limit)");
    }
    hardWallclockTimeLimit = seconds;
    modified();
  }

  @Override
  public long getHardWallclockTimeLimit() {
    return hardWallclockTimeLimit;
  }

  @Override
  protected Set<String> getOptionalAttributeNames() {
    Set<String> names = new HashSet<>();
    names.add("hardWallclockTimeLimit");
    return names;
  }

  @Override
  public void setInputPath(String path) throws InvalidAttributeValueException {
    inputPath = checked("inputPath", path);
    modified();
  }

  @Override
  public void setOutputPath(String path) throws InvalidAttributeValueException {
    outputPath = checked("outputPath", path);
    modified();
  }

  @Override
  public void setErrorPath(String path) throws InvalidAttributeValueException {
    errorPath = checked("errorPath", path);
    modified();
  }

  private static String checked(String attribute, String value)
      throws InvalidAttributeValueException {
    if (value == null) {
      return null;
    }
    String path = DrmaaPath.pathPart(value);
    for (String placeholder :
        new String[] {JobTemplate.HOME_DIRECTORY, JobTemplate.WORKING_DIRECTORY}) {
      if (path.indexOf(placeholder, 1) > 0) {
        throw new InvalidAttributeValueException(
            attribute + ": " + placeholder + " may only begin the path: '" + value + "'");
      }
    }
    return value;
  }

  void delete() {
    deleted = true;
  }

  boolean isDeleted() {
    return deleted;
  }
}
