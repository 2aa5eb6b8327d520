package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ggf.drmaa.FileTransferMode;
import org.ggf.drmaa.InvalidAttributeValueException;
import org.ggf.drmaa.InvalidJobTemplateException;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.PartialTimestamp;
import org.ggf.drmaa.SimpleJobTemplate;
import org.ggf.drmaa.UnsupportedAttributeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Job templates as sbatch options and batch scripts, without Slurm. */
class SbatchRequestTest {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final Site SITE =
      new Site(Path.of("/home/ada"), Path.of("/work/run"), Set.of("localhost", "gw01"));
  private SurgeJobTemplate template;

  @BeforeEach
  void template() throws Exception {
    template = new SurgeJobTemplate();
    template.setRemoteCommand("/usr/bin/model");
  }

  private SbatchRequest single() throws Exception {
    return SbatchRequest.of(template, Contact.DEFAULT, null, SITE, UTC);
  }

  private SbatchRequest bulk(int start, int end, int incr) throws Exception {
    return SbatchRequest.of(template, Contact.DEFAULT, new BulkRange(start, end, incr), SITE, UTC);
  }

  @Test
  void aBareTemplateGoesToTheVolunteerPartitionNamedAfterItsCommand() throws Exception {
    SbatchRequest request = single();

    assertThat(request.options())
        .containsExactly("--parsable", "--partition=volunteer", "--job-name=model");
    assertThat(request.script())
        .isEqualTo(
            "#!/bin/sh\n"
                + "# DRMAA job of surge.drmaa: the job template's environment and command\n"
                + "exec '/usr/bin/model'\n");
  }

  @Test
  void theContactStringsPartitionIsUsed() throws Exception {
    SbatchRequest request =
        SbatchRequest.of(template, Contact.parse("partition=batch"), null, SITE, UTC);

    assertThat(request.options()).contains("--partition=batch");
  }

  @Test
  void argumentsAndEnvironmentAreQuotedForTheShellWordForWord() throws Exception {
    template.setArgs(List.of("two words", "it's", "$HOME", ""));
    template.setJobEnvironment(Map.of("B", "x y", "A", "'q'"));

    String script = single().script();

    assertThat(script)
        .contains("export A=''\\''q'\\'''\nexport B='x y'\n")
        .endsWith("exec '/usr/bin/model' 'two words' 'it'\\''s' '$HOME' ''\n");
  }

  @Test
  void aBulkJobIsOneArrayAndTheIndexPlaceholderBecomesSlurmsIndex() throws Exception {
    template.setArgs(List.of("--part=$drmaa_incr_ph$.txt", "$drmaa_incr_ph$"));
    template.setOutputPath(":$drmaa_wd_ph$/out.$drmaa_incr_ph$");
    template.setWorkingDirectory("$drmaa_hd_ph$/runs");

    SbatchRequest request = bulk(1, 10, 3);

    assertThat(request.options())
        .contains("--array=1-10:3", "--chdir=/home/ada/runs", "--output=/home/ada/runs/out.%a");
    assertThat(request.script())
        .endsWith(
            "exec '/usr/bin/model' '--part='\"$SLURM_ARRAY_TASK_ID\"'.txt' \"$SLURM_ARRAY_TASK_ID\"\n");
  }

  @Test
  void bulkRangesEndOnTheLastIndexOfTheStep() {
    assertThat(new BulkRange(1, 10, 3).arraySpec()).isEqualTo("1-10:3");
    assertThat(new BulkRange(1, 9, 3).arraySpec()).isEqualTo("1-7:3");
    assertThat(new BulkRange(2, 5, 1).arraySpec()).isEqualTo("2-5");
    assertThat(new BulkRange(4, 4, 1).arraySpec()).isEqualTo("4");
    assertThat(new BulkRange(1, 9, 3).ids("42")).containsExactly("42_1", "42_4", "42_7");
    assertThatThrownBy(() -> new BulkRange(0, 3, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BulkRange(3, 2, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BulkRange(1, 2, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theIndexPlaceholderOutsideABulkJobIsRefusedNamingTheAttribute() throws Exception {
    template.setOutputPath(":out.$drmaa_incr_ph$");

    assertThatThrownBy(this::single)
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessageStartingWith("outputPath: $drmaa_incr_ph$");
  }

  @Test
  void pathsTakeTheHostSyntaxPlaceholdersAndEscapeSlurmsPercent() throws Exception {
    template.setInputPath("gw01:$drmaa_hd_ph$/in.txt");
    template.setOutputPath("/data/100%.out");
    template.setErrorPath("localhost:err.txt");

    assertThat(single().options())
        .contains("--input=/home/ada/in.txt", "--output=/data/100%%.out", "--error=err.txt");
  }

  @Test
  void joinFilesLeavesStderrWithStdout() throws Exception {
    template.setOutputPath(":all.txt");
    template.setErrorPath(":err.txt");
    template.setJoinFiles(true);

    assertThat(single().options())
        .contains("--output=all.txt")
        .noneMatch(o -> o.startsWith("--error"));
  }

  @Test
  void aPathOnAnotherHostIsRefusedBecauseSlurmTransfersNoFiles() throws Exception {
    template.setOutputPath("elsewhere:/tmp/out");

    assertThatThrownBy(this::single)
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessageContaining("outputPath")
        .hasMessageContaining("elsewhere");
  }

  @Test
  void aPlaceholderInsideAPathIsRefusedWhenSet() {
    assertThatThrownBy(() -> template.setOutputPath(":/x/$drmaa_hd_ph$/out"))
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessageStartingWith("outputPath");
  }

  @Test
  void holdStartTimeLimitEmailAndNameBecomeSbatchOptions() throws Exception {
    template.setJobSubmissionState(JobTemplate.HOLD_STATE);
    PartialTimestamp start = new PartialTimestamp(UTC_TZ());
    // DRMAA refuses a start time in the past: a day next year, at a fixed time of day.
    var day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusYears(1);
    var at = day.atTime(8, 30, 15);
    start.setTimeInMillis(at.toInstant(java.time.ZoneOffset.UTC).toEpochMilli());
    template.setStartTime(start);
    template.setHardWallclockTimeLimit(90_061);
    template.setEmail(Set.of("b@x.org", "a@x.org"));
    template.setJobName("fire forecast");

    assertThat(single().options())
        .contains(
            "--hold",
            "--begin=" + day + "T08:30:15",
            "--time=1-01:01:01",
            "--mail-user=a@x.org,b@x.org",
            "--mail-type=END,FAIL",
            "--job-name=fire forecast");
  }

  private static java.util.TimeZone UTC_TZ() {
    return java.util.TimeZone.getTimeZone("UTC");
  }

  @Test
  void blockEmailSendsNone() throws Exception {
    template.setEmail(Set.of("a@x.org"));
    template.setBlockEmail(true);

    assertThat(single().options())
        .contains("--mail-type=NONE")
        .noneMatch(o -> o.startsWith("--mail-user"));
  }

  @Test
  void nativeSpecificationWordsComeLastSoTheyWin() throws Exception {
    template.setNativeSpecification("-p batch --time 10 --comment='two words' --exclusive");

    assertThat(single().options())
        .endsWith("-p", "batch", "--time", "10", "--comment=two words", "--exclusive");
  }

  @Test
  void nativeSpecificationCannotCarryAScriptWrapOrArray() throws Exception {
    for (String spec : List.of("--wrap=ls", "script.sh", "--array=1-3", "-a 1-3", "--parsable")) {
      template.setNativeSpecification(spec);
      assertThatThrownBy(this::single)
          .as(spec)
          .isInstanceOf(InvalidAttributeValueException.class)
          .hasMessageStartingWith("nativeSpecification");
    }
    template.setNativeSpecification("--comment='open");
    assertThatThrownBy(this::single).isInstanceOf(InvalidAttributeValueException.class);
  }

  @Test
  void aSurgeJobOptionInNativeSpecificationSaysWhereItGoes() throws Exception {
    for (String option :
        List.of("--verify", "--verify-error", "--compare", "--kernel", "--merge")) {
      template.setNativeSpecification("-p volunteer " + option + "=x");
      assertThatThrownBy(this::single)
          .as(option)
          .isInstanceOf(InvalidAttributeValueException.class)
          .hasMessage(
              "nativeSpecification: "
                  + option
                  + " is an option of the Surge job, not of sbatch: put it on an #OFFLOAD line of"
                  + " the remoteCommand's job script (to choose it per job, write it there as "
                  + option
                  + "=$VARIABLE and set the variable in jobEnvironment)");
    }
  }

  @Test
  void attributesSlurmCannotHonourAreRefused() throws Exception {
    assertThatThrownBy(() -> template.setTransferFiles(new FileTransferMode(true, true, true)))
        .isInstanceOf(UnsupportedAttributeException.class);
    assertThatThrownBy(() -> template.setDeadlineTime(new PartialTimestamp()))
        .isInstanceOf(UnsupportedAttributeException.class);
    assertThatThrownBy(() -> template.setSoftWallclockTimeLimit(10))
        .isInstanceOf(UnsupportedAttributeException.class);
    assertThatThrownBy(() -> template.setHardRunDurationLimit(10))
        .isInstanceOf(UnsupportedAttributeException.class);
    assertThatThrownBy(() -> template.setSoftRunDurationLimit(10))
        .isInstanceOf(UnsupportedAttributeException.class);
    assertThat(template.getAttributeNames()).contains("hardWallclockTimeLimit", "remoteCommand");
    assertThat(template.getAttributeNames()).doesNotContain("deadlineTime", "transferFiles");
  }

  @Test
  void aCategoryABadVariableOrNoCommandIsRefused() throws Exception {
    template.setJobCategory("gpu");
    assertThatThrownBy(this::single)
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessageStartingWith("jobCategory");
    template.setJobCategory(null);
    template.setJobEnvironment(Map.of("NOT-A-NAME", "1"));
    assertThatThrownBy(this::single)
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessageStartingWith("jobEnvironment");
    assertThatThrownBy(
            () -> SbatchRequest.of(new SurgeJobTemplate(), Contact.DEFAULT, null, SITE, UTC))
        .isInstanceOf(InvalidJobTemplateException.class)
        .hasMessageContaining("remoteCommand");
  }

  @Test
  void aForeignTemplateWorksWithoutItsOptionalAttributes() throws Exception {
    SimpleJobTemplate foreign = new SimpleJobTemplate();
    foreign.setRemoteCommand("date");

    assertThat(SbatchRequest.of(foreign, Contact.DEFAULT, null, SITE, UTC).options())
        .containsExactly("--parsable", "--partition=volunteer", "--job-name=date");
  }

  @Test
  void theIndexInTheWorkingDirectoryIsRefused() throws Exception {
    template.setWorkingDirectory("/runs/$drmaa_incr_ph$");

    assertThatThrownBy(() -> bulk(1, 2, 1))
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessageStartingWith("workingDirectory");
  }

  @Test
  void durationsAreDaysHoursMinutesSeconds() {
    assertThat(SbatchRequest.slurmDuration(59)).isEqualTo("0-00:00:59");
    assertThat(SbatchRequest.slurmDuration(3600)).isEqualTo("0-01:00:00");
    assertThat(SbatchRequest.slurmDuration(86_400 * 3 + 61)).isEqualTo("3-00:01:01");
  }
}
