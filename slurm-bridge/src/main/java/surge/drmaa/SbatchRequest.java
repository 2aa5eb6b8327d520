package surge.drmaa;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.ggf.drmaa.DrmaaException;
import org.ggf.drmaa.InvalidAttributeValueException;
import org.ggf.drmaa.InvalidJobTemplateException;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.PartialTimestamp;
import org.ggf.drmaa.UnsupportedAttributeException;

/**
 * A job template as a Slurm submission: the options of {@code sbatch --parsable} and the batch
 * script it reads on stdin. The script only sets the job environment and {@code exec}s the remote
 * command, so the job's exit status and terminating signal are the command's own.
 */
record SbatchRequest(List<String> options, String script) {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final DateTimeFormatter BEGIN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

  /**
   * @param bulk the indices of a bulk job, or null for {@code runJob}
   */
  static SbatchRequest of(
      JobTemplate template, Contact contact, BulkRange bulk, Site site, ZoneId zone)
      throws DrmaaException {
    boolean isBulk = bulk != null;
    String command = template.getRemoteCommand();
    if (command == null || command.isBlank()) {
      throw new InvalidJobTemplateException("remoteCommand is not set");
    }
    refuseUnsupported(template);
    String category = template.getJobCategory();
    if (category != null && !category.isBlank()) {
      throw new InvalidAttributeValueException(
          "jobCategory: '"
              + category
              + "': this binding defines no job categories; give sbatch options in"
              + " nativeSpecification");
    }

    List<String> options = new ArrayList<>();
    options.add("--parsable");
    options.add("--partition=" + contact.partition());
    if (isBulk) {
      options.add("--array=" + bulk.arraySpec());
    }
    String name = template.getJobName();
    options.add("--job-name=" + (name == null || name.isBlank() ? baseName(command) : name));

    Path workDir = workingDirectory(template.getWorkingDirectory(), site);
    if (template.getWorkingDirectory() != null) {
      options.add("--chdir=" + workDir);
    }
    if (template.getInputPath() != null) {
      options.add(
          "--input="
              + DrmaaPath.filePattern("inputPath", template.getInputPath(), site, workDir, isBulk));
    }
    if (template.getOutputPath() != null) {
      options.add(
          "--output="
              + DrmaaPath.filePattern(
                  "outputPath", template.getOutputPath(), site, workDir, isBulk));
    }
    // Without --error Slurm writes stderr to the output file: that is joinFiles.
    if (template.getErrorPath() != null && !template.getJoinFiles()) {
      options.add(
          "--error="
              + DrmaaPath.filePattern("errorPath", template.getErrorPath(), site, workDir, isBulk));
    }
    if (template.getJobSubmissionState() == JobTemplate.HOLD_STATE) {
      options.add("--hold");
    }
    PartialTimestamp start = template.getStartTime();
    if (start != null) {
      Instant at = Instant.ofEpochMilli(start.getTimeInMillis()).truncatedTo(ChronoUnit.SECONDS);
      options.add("--begin=" + LocalDateTime.ofInstant(at, zone).format(BEGIN));
    }
    long limit = hardWallclockLimit(template);
    if (limit > 0) {
      options.add("--time=" + slurmDuration(limit));
    }
    options.addAll(mailOptions(template.getEmail(), template.getBlockEmail()));
    options.addAll(nativeOptions(template.getNativeSpecification(), isBulk));

    return new SbatchRequest(List.copyOf(options), script(template, isBulk));
  }

  /**
   * A template of another implementation may carry optional attributes that Slurm cannot honour;
   * ours refuses them when they are set.
   */
  private static void refuseUnsupported(JobTemplate t) throws DrmaaException {
    if (t instanceof SurgeJobTemplate) {
      return;
    }
    refuseIfSet("deadlineTime", () -> t.getDeadlineTime() != null);
    refuseIfSet("softWallclockTimeLimit", () -> t.getSoftWallclockTimeLimit() != 0);
    refuseIfSet("hardRunDurationLimit", () -> t.getHardRunDurationLimit() != 0);
    refuseIfSet("softRunDurationLimit", () -> t.getSoftRunDurationLimit() != 0);
    refuseIfSet("transferFiles", () -> t.getTransferFiles() != null);
  }

  private interface AttributeCheck {
    boolean isSet() throws DrmaaException;
  }

  private static void refuseIfSet(String attribute, AttributeCheck check) throws DrmaaException {
    boolean set;
    try {
      set = check.isSet();
    } catch (UnsupportedAttributeException e) {
      return; // the template cannot hold it, so it is not set
    }
    if (set) {
      throw new UnsupportedAttributeException(
          attribute + ": not supported: Slurm has nothing that honours it");
    }
  }

  private static long hardWallclockLimit(JobTemplate template) throws DrmaaException {
    try {
      return template.getHardWallclockTimeLimit();
    } catch (UnsupportedAttributeException e) {
      return 0; // a template that cannot hold it has none
    }
  }

  private static Path workingDirectory(String value, Site site)
      throws InvalidAttributeValueException {
    if (value == null) {
      return site.currentDir();
    }
    String path = value;
    if (path.contains(JobTemplate.PARAMETRIC_INDEX)) {
      throw new InvalidAttributeValueException(
          "workingDirectory: '"
              + value
              + "': "
              + JobTemplate.PARAMETRIC_INDEX
              + " is not supported there (sbatch --chdir is one directory for the whole array);"
              + " use it in the output path or arguments");
    }
    if (path.contains(JobTemplate.WORKING_DIRECTORY)) {
      throw new InvalidAttributeValueException(
          "workingDirectory: '"
              + value
              + "': "
              + JobTemplate.WORKING_DIRECTORY
              + " cannot define itself");
    }
    if (path.startsWith(JobTemplate.HOME_DIRECTORY)) {
      String rest = path.substring(JobTemplate.HOME_DIRECTORY.length());
      while (rest.startsWith("/")) {
        rest = rest.substring(1);
      }
      return site.home().resolve(rest).normalize();
    }
    if (path.isBlank()) {
      throw new InvalidAttributeValueException("workingDirectory is blank");
    }
    return site.currentDir().resolve(path).normalize();
  }

  /** sbatch's {@code --time} as {@code D-HH:MM:SS}; Slurm rounds up to whole minutes. */
  static String slurmDuration(long seconds) {
    long days = seconds / 86_400;
    long rest = seconds % 86_400;
    return String.format("%d-%02d:%02d:%02d", days, rest / 3600, rest % 3600 / 60, rest % 60);
  }

  private static List<String> mailOptions(Set<String> email, boolean block)
      throws InvalidAttributeValueException {
    if (block) {
      return List.of("--mail-type=NONE");
    }
    if (email == null || email.isEmpty()) {
      return List.of();
    }
    List<String> addresses = new ArrayList<>(new TreeSet<>(email));
    for (String address : addresses) {
      if (address.isBlank()
          || address.contains(",")
          || address.chars().anyMatch(Character::isWhitespace)) {
        throw new InvalidAttributeValueException("email: '" + address + "' is not one address");
      }
    }
    return List.of("--mail-user=" + String.join(",", addresses), "--mail-type=END,FAIL");
  }

  private static List<String> nativeOptions(String spec, boolean bulk)
      throws InvalidAttributeValueException {
    if (spec == null || spec.isBlank()) {
      return List.of();
    }
    List<String> words = NativeWords.split(spec);
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (!word.startsWith("-")) {
        // an option's value in its own word: "-p batch", "--time 10"
        if (i > 0 && takesSeparateValue(words.get(i - 1))) {
          continue;
        }
        throw new InvalidAttributeValueException(
            "nativeSpecification: '"
                + word
                + "' is not an sbatch option (the script comes from remoteCommand and args)");
      }
      String option = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
      if (option.equals("--wrap") || option.equals("--parsable")) {
        throw new InvalidAttributeValueException(
            "nativeSpecification: " + option + " is set by the binding itself");
      }
      if (SURGE_JOB_OPTIONS.contains(option)) {
        throw new InvalidAttributeValueException(
            "nativeSpecification: "
                + option
                + " is an option of the Surge job, not of sbatch: put it on an #OFFLOAD line of"
                + " the remoteCommand's job script (to choose it per job, write it there as"
                + " "
                + option
                + "=$VARIABLE and set the variable in jobEnvironment)");
      }
      if (option.equals("--array") || option.startsWith("-a")) {
        throw new InvalidAttributeValueException(
            "nativeSpecification: "
                + option
                + ": job arrays come from runBulkJobs"
                + (bulk ? " (its start, end and incr)" : ""));
      }
    }
    return words;
  }

  /** An option word without {@code =} whose value follows as the next word. */
  private static boolean takesSeparateValue(String word) {
    if (word.startsWith("--")) {
      return !word.contains("=") && !FLAGS.contains(word);
    }
    return word.length() == 2 && !"hHOsvVQW".contains(word.substring(1));
  }

  /**
   * Options of {@code surge submit} that sbatch lacks, so that a Surge job option given in the
   * wrong place is refused with directions rather than as sbatch's unrecognized option.
   */
  private static final Set<String> SURGE_JOB_OPTIONS =
      Set.of("--kernel", "--merge", "--verify", "--verify-error", "--compare");

  // sbatch's long options that take no value
  private static final Set<String> FLAGS =
      Set.of(
          "--contiguous",
          "--exclusive",
          "--hold",
          "--ignore-pbs",
          "--no-kill",
          "--no-requeue",
          "--overcommit",
          "--oversubscribe",
          "--quiet",
          "--reboot",
          "--requeue",
          "--spread-job",
          "--test-only",
          "--use-min-nodes",
          "--verbose",
          "--wait",
          "--get-user-env");

  /** The batch script: the environment, then the command in place of the shell. */
  static String script(JobTemplate template, boolean bulk) throws DrmaaException {
    StringBuilder script = new StringBuilder("#!/bin/sh\n");
    script.append("# DRMAA job of surge.drmaa: the job template's environment and command\n");
    Map<String, String> env = template.getJobEnvironment();
    if (env != null) {
      for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
        if (!ENV_NAME.matcher(e.getKey()).matches()) {
          throw new InvalidAttributeValueException(
              "jobEnvironment: '" + e.getKey() + "' is not a variable name");
        }
        script
            .append("export ")
            .append(e.getKey())
            .append('=')
            .append(word("jobEnvironment", String.valueOf(e.getValue()), bulk))
            .append('\n');
      }
    }
    script.append("exec ").append(word("remoteCommand", template.getRemoteCommand(), bulk));
    List<String> args = template.getArgs();
    if (args != null) {
      for (String arg : args) {
        script.append(' ').append(word("args", arg, bulk));
      }
    }
    return script.append('\n').toString();
  }

  /**
   * One shell word, single-quoted, with {@code $drmaa_incr_ph$} as the array index the job gets
   * from Slurm.
   */
  static String word(String attribute, String value, boolean bulk)
      throws InvalidAttributeValueException {
    String[] pieces = value.split(Pattern.quote(JobTemplate.PARAMETRIC_INDEX), -1);
    if (pieces.length > 1 && !bulk) {
      throw new InvalidAttributeValueException(
          attribute
              + ": "
              + JobTemplate.PARAMETRIC_INDEX
              + " stands for a bulk job's index; runJob has none (use runBulkJobs)");
    }
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < pieces.length; i++) {
      if (i > 0) {
        word.append("\"$SLURM_ARRAY_TASK_ID\"");
      }
      if (!pieces[i].isEmpty() || pieces.length == 1) {
        word.append('\'').append(pieces[i].replace("'", "'\\''")).append('\'');
      }
    }
    return word.toString();
  }

  private static String baseName(String command) {
    String name = command.strip();
    int slash = name.lastIndexOf('/');
    return slash < 0 || slash == name.length() - 1 ? name : name.substring(slash + 1);
  }
}
