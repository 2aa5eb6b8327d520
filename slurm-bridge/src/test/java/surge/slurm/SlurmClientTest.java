package surge.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.slurmcommon.command.SlurmException;

/** The scontrol command lines the launcher runs, against a fake scontrol that records them. */
class SlurmClientTest {
  @TempDir Path dir;
  private FakeScontrol scontrol;
  private SlurmClient slurm;

  @BeforeEach
  void fake() throws Exception {
    scontrol = FakeScontrol.in(dir);
    slurm = new SlurmClient(scontrol.env("42"), Duration.ofSeconds(10));
  }

  @Test
  void updatesTheCommentWithOneArgumentPerFieldAndSlurmConfPassedThrough() throws Exception {
    slurm.updateComment("42", "surge 312/720");

    assertThat(scontrol.calls())
        .containsExactly(
            "SLURM_CONF=" + FakeScontrol.SLURM_CONF + "|update|JobId=42|Comment=surge 312/720");
  }

  @Test
  void readsTheBatchScriptThatSlurmStored() throws Exception {
    scontrol.answerBatchScript("#!/bin/bash\n#OFFLOAD --tasks=4\n");

    String script = slurm.batchScript("42");

    assertThat(script).isEqualTo("#!/bin/bash\n#OFFLOAD --tasks=4\n");
    assertThat(scontrol.argumentLines()).containsExactly("write|batch_script|42|-");
  }

  @Test
  void aFailureSaysWhatRanAndWhatScontrolSaid() throws Exception {
    scontrol.fail("slurm_update error: Access/permission denied");

    assertThatThrownBy(() -> slurm.updateComment("42", "surge 1/2"))
        .isInstanceOf(SlurmException.class)
        .hasMessage(
            "scontrol update JobId=42 Comment=surge 1/2: exited with 1: slurm_update error:"
                + " Access/permission denied");
  }

  @Test
  void aSlowScontrolIsStoppedAtTheTimeLimit() throws Exception {
    scontrol.delay(Duration.ofSeconds(20));
    SlurmClient impatient = new SlurmClient(scontrol.env("42"), Duration.ofMillis(300));

    long start = System.nanoTime();
    assertThatThrownBy(() -> impatient.updateComment("42", "surge 1/2"))
        .isInstanceOf(SlurmException.class)
        .hasMessageContaining("did not answer within");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void scontrolIsLookedUpOnTheJobsPath() {
    SlurmClient nowhere =
        new SlurmClient(Map.of("PATH", dir.resolve("empty").toString()), Duration.ofSeconds(1));

    assertThatThrownBy(() -> nowhere.updateComment("42", "surge 1/2"))
        .isInstanceOf(SlurmException.class)
        .hasMessage("scontrol is not on the PATH (" + dir.resolve("empty") + ")");
  }
}
