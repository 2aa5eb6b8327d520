package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.ggf.drmaa.AuthorizationException;
import org.ggf.drmaa.DeniedByDrmException;
import org.ggf.drmaa.DrmCommunicationException;
import org.ggf.drmaa.InvalidAttributeValueException;
import org.ggf.drmaa.InvalidJobException;
import org.ggf.drmaa.ReleaseInconsistentStateException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.slurmcommon.command.SlurmCommands;

/**
 * The Slurm command lines of {@link Slurm} and how Slurm's failures become DRMAA's exceptions,
 * against fake sbatch/scontrol/scancel scripts (on a PATH of their own) that record their
 * arguments, stdin and SLURM_CONF, and answer what a test tells them. The real commands are in
 * DrmaaContractIT.
 */
class SlurmTest {
  @TempDir Path dir;
  private Slurm slurm;

  @BeforeEach
  void fakes() throws Exception {
    for (String command : List.of("sbatch", "scontrol", "scancel", "sinfo")) {
      fake(command, "exit 0");
    }
    slurm = slurmWithin(Duration.ofSeconds(10));
  }

  private Slurm slurmWithin(Duration timeout) {
    return new Slurm(
        SlurmCommands.inheriting(
            Map.of("PATH", dir + ":" + System.getenv("PATH"), "SLURM_CONF", "/etc/slurm/test.conf"),
            timeout));
  }

  /** A fake COMMAND that logs its arguments and stdin, then runs BODY. */
  private void fake(String command, String body) throws Exception {
    Path script = dir.resolve(command);
    Files.writeString(
        script,
        "#!/bin/sh\n"
            + "{ printf '%s' \"$SLURM_CONF\"; for a in \"$@\"; do printf '|%s' \"$a\"; done; echo; }"
            + " >> '"
            + dir.resolve("calls.log")
            + "'\n"
            + (command.equals("sbatch") ? "cat > '" + dir.resolve("stdin") + "'\n" : "")
            + body
            + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private List<String> calls() throws Exception {
    return Files.readAllLines(dir.resolve("calls.log"));
  }

  @Test
  void sbatchGetsTheOptionsTheScriptOnStdinAndTheEnvironment() throws Exception {
    fake("sbatch", "echo '4242;cluster'");

    String id =
        slurm.submit(new SbatchRequest(List.of("--parsable", "--hold"), "#!/bin/sh\nexec x\n"));

    assertThat(id).isEqualTo("4242");
    assertThat(calls()).containsExactly("/etc/slurm/test.conf|--parsable|--hold");
    assertThat(Files.readString(dir.resolve("stdin"))).isEqualTo("#!/bin/sh\nexec x\n");
  }

  @Test
  void sbatchRefusalsNameSlurmsReason() throws Exception {
    fake(
        "sbatch",
        "echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2;"
            + " exit 1");
    assertThatThrownBy(() -> slurm.submit(new SbatchRequest(List.of("--parsable"), "")))
        .isInstanceOf(DeniedByDrmException.class)
        .hasMessageContaining("Invalid partition name specified");

    fake(
        "sbatch",
        "echo \"sbatch: unrecognized option '--bogus'\" >&2; echo 'Try \"sbatch --help\"' >&2; exit 255");
    assertThatThrownBy(() -> slurm.submit(new SbatchRequest(List.of("--bogus"), "")))
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessage(
            "nativeSpecification: sbatch refused an option: sbatch: unrecognized option '--bogus'");
  }

  @Test
  void aCommandThatEndsWithoutReadingItsStdinIsJudgedByItsExitCode() throws Exception {
    Files.writeString(
        dir.resolve("sbatch"), "#!/bin/sh\necho 'sbatch: error: refused early' >&2\nexit 1\n");
    String script = "#!/bin/sh\n" + "# padding\n".repeat(100_000); // more than a pipe holds

    assertThatThrownBy(() -> slurm.submit(new SbatchRequest(List.of("--parsable"), script)))
        .isInstanceOf(DeniedByDrmException.class)
        .hasMessageContaining("refused early");
  }

  @Test
  void anUnknownJobIsAnInvalidJob() throws Exception {
    fake("scontrol", "echo 'slurm_load_jobs error: Invalid job id specified' >&2; exit 1");

    assertThatThrownBy(() -> slurm.show("77"))
        .isInstanceOf(InvalidJobException.class)
        .hasMessage("scontrol show job -o 77: slurm_load_jobs error: Invalid job id specified");
  }

  @Test
  void aControllerThatDoesNotAnswerIsACommunicationFailure() throws Exception {
    fake(
        "scontrol",
        "echo 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2;"
            + " exit 1");
    assertThatThrownBy(() -> slurm.show("77")).isInstanceOf(DrmCommunicationException.class);

    fake("scontrol", "sleep 30");
    long start = System.nanoTime();
    assertThatThrownBy(() -> slurmWithin(Duration.ofMillis(500)).show("77"))
        .isInstanceOf(DrmCommunicationException.class)
        .hasMessageContaining("did not answer within");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void refusalsOfAControlBecomeTheCallersExceptionButPermissionIsAuthorization() throws Exception {
    fake("scontrol", "echo 'Job has already finished for job 5' >&2; exit 1");
    assertThatThrownBy(() -> slurm.scontrol("release", "5", ReleaseInconsistentStateException::new))
        .isInstanceOf(ReleaseInconsistentStateException.class)
        .hasMessage("scontrol release 5: Job has already finished for job 5");

    fake("scontrol", "echo 'Access/permission denied for job 5' >&2; exit 1");
    assertThatThrownBy(() -> slurm.scontrol("suspend", "5", ReleaseInconsistentStateException::new))
        .isInstanceOf(AuthorizationException.class);
  }

  @Test
  void showPicksTheRecordOfTheArrayElementAsked() throws Exception {
    fake(
        "scontrol",
        "echo 'JobId=8 ArrayJobId=7 ArrayTaskId=1 JobState=RUNNING Reason=None'; "
            + "echo 'JobId=7 ArrayJobId=7 ArrayTaskId=2-3 JobState=PENDING Reason=JobHeldUser'");

    assertThat(slurm.show("7_3").state()).isEqualTo("PENDING");
    assertThat(slurm.show("7_1").state()).isEqualTo("RUNNING");
    assertThat(slurm.showAll()).containsKeys("7_1", "7_2", "7_3", "8", "7");
  }

  @Test
  void theVersionIsSinfosLastWord() throws Exception {
    fake("sinfo", "echo 'slurm-wlm 22.05.8'");

    assertThat(slurm.version()).isEqualTo("22.05.8");
  }
}
