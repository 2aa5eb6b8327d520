package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.ggf.drmaa.AlreadyActiveSessionException;
import org.ggf.drmaa.InvalidAttributeValueException;
import org.ggf.drmaa.InvalidContactStringException;
import org.ggf.drmaa.InvalidJobException;
import org.ggf.drmaa.JobInfo;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.NoActiveSessionException;
import org.ggf.drmaa.Session;
import org.ggf.drmaa.SessionFactory;
import org.ggf.drmaa.UnsupportedAttributeException;
import org.junit.jupiter.api.Test;

/**
 * The DRMAA 1.0 session against real Slurm: the factory and what the binding says it is, the
 * session's lifecycle and its exceptions, job templates (attributes that reach the job, attributes
 * Slurm cannot honour), and bulk jobs as one array. Job control is in {@link DrmaaControlIT},
 * states and waiting in {@link DrmaaWaitIT}; the cluster and helpers in {@link DrmaaOnSlurm}.
 */
class DrmaaContractIT extends DrmaaOnSlurm {
  @Test
  void theFactoryFindsThisBindingAndItSaysWhatItIs() throws Exception {
    Session fromFactory = SessionFactory.getFactory().getSession();

    assertThat(fromFactory).isInstanceOf(SlurmSession.class);
    assertThat(fromFactory).isSameAs(SessionFactory.getFactory().getSession());
    assertThat(session.getDrmSystem()).matches("Slurm \\d+\\.\\d+\\.\\d+");
    assertThat(session.getVersion().getMajor()).isEqualTo(1);
    assertThat(session.getVersion().getMinor()).isZero();
    assertThat(session.getDrmaaImplementation()).startsWith("Surge DRMAA 1.0 binding for Slurm");
    assertThat(session.getContact()).isEqualTo("partition=volunteer");
  }

  @Test
  void templateAttributesReachTheJob() throws Exception {
    Files.writeString(dir.resolve("in.txt"), "from stdin\n");
    JobTemplate jt = shell("read line; echo \"$line|$GREETING|$(pwd)|$SLURM_JOB_NAME\"");
    jt.setJobEnvironment(Map.of("GREETING", "hello 'world'"));
    jt.setInputPath(":$drmaa_wd_ph$/in.txt");
    jt.setOutputPath("localhost:$drmaa_wd_ph$/attrs.out");
    jt.setJobName("drmaa-attrs");
    jt.setHardWallclockTimeLimit(120);

    String id = session.runJob(jt);
    Map<String, String> fields = cluster.show(id);
    JobInfo info = session.wait(id, 60);

    assertThat(info.getExitStatus()).isZero();
    assertThat(fields)
        .containsEntry("TimeLimit", "00:02:00")
        .containsEntry("JobName", "drmaa-attrs");
    assertThat(Files.readString(dir.resolve("attrs.out")))
        .isEqualTo("from stdin|hello 'world'|" + dir + "|drmaa-attrs\n");
  }

  @Test
  void aBulkJobIsOneArrayWithTheIndexInArgumentsAndPaths() throws Exception {
    JobTemplate jt = session.createJobTemplate();
    jt.setRemoteCommand("/bin/sh");
    jt.setArgs(List.of("-c", "echo element $1 of $SLURM_ARRAY_JOB_ID", "sh", "$drmaa_incr_ph$"));
    jt.setWorkingDirectory(dir.toString());
    jt.setOutputPath(":$drmaa_wd_ph$/part.$drmaa_incr_ph$");

    List<String> ids = session.runBulkJobs(jt, 1, 7, 3);

    assertThat(ids).hasSize(3);
    String array = ids.get(0).substring(0, ids.get(0).indexOf('_'));
    assertThat(ids).containsExactly(array + "_1", array + "_4", array + "_7");
    session.synchronize(ids, 60, false);
    for (String id : ids) {
      assertThat(session.wait(id, Session.TIMEOUT_NO_WAIT).getExitStatus()).isZero();
    }
    for (int i : new int[] {1, 4, 7}) {
      assertThat(Files.readString(dir.resolve("part." + i)))
          .isEqualTo("element " + i + " of " + array + "\n");
    }
    try (var files = Files.list(dir)) {
      assertThat(files.count()).isEqualTo(3);
    }
  }

  @Test
  void theLifecycleHasItsExceptions() throws Exception {
    SlurmSession own = newSession();
    assertThatThrownBy(own::exit).isInstanceOf(NoActiveSessionException.class);
    assertThatThrownBy(own::createJobTemplate).isInstanceOf(NoActiveSessionException.class);
    assertThatThrownBy(() -> own.getJobProgramStatus("1"))
        .isInstanceOf(NoActiveSessionException.class);
    assertThat(own.getContact()).isEqualTo("partition=volunteer");
    assertThatThrownBy(() -> own.init("partition=nosuch"))
        .isInstanceOf(InvalidContactStringException.class)
        .hasMessageContaining("nosuch");
    assertThatThrownBy(() -> own.init("queue=batch"))
        .isInstanceOf(InvalidContactStringException.class);

    own.init("partition=batch");
    assertThatThrownBy(() -> own.init(null)).isInstanceOf(AlreadyActiveSessionException.class);
    assertThat(own.getContact()).isEqualTo("partition=batch");
    JobTemplate jt = own.createJobTemplate();
    jt.setRemoteCommand("/bin/true");
    jt.setOutputPath(":/dev/null");
    String id = own.runJob(jt);
    assertThat(own.wait(id, 60).getResourceUsage()).containsEntry("partition", "batch");
    own.deleteJobTemplate(jt);
    assertThatThrownBy(() -> own.runJob(jt))
        .isInstanceOf(org.ggf.drmaa.InvalidJobTemplateException.class);
    own.exit();

    assertThatThrownBy(() -> own.runJob(jt)).isInstanceOf(NoActiveSessionException.class);
    assertThatThrownBy(own::exit).isInstanceOf(NoActiveSessionException.class);
    own.init(null); // a session may begin again
    own.exit();
  }

  @Test
  void attributesSlurmCannotHonourAreRefusedByName() throws Exception {
    JobTemplate jt = shell("true");
    assertThatThrownBy(() -> jt.setDeadlineTime(inSeconds(60)))
        .isInstanceOf(UnsupportedAttributeException.class);
    assertThatThrownBy(() -> jt.setSoftRunDurationLimit(60))
        .isInstanceOf(UnsupportedAttributeException.class);

    jt.setOutputPath("faraway.example.org:/tmp/out");
    assertThatThrownBy(() -> session.runJob(jt))
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessageStartingWith("outputPath");

    jt.setOutputPath(":/dev/null");
    jt.setNativeSpecification("--no-such-option");
    assertThatThrownBy(() -> session.runJob(jt))
        .isInstanceOf(InvalidAttributeValueException.class)
        .hasMessageStartingWith("nativeSpecification")
        .hasMessageContaining("--no-such-option");

    jt.setNativeSpecification("--time=1 --comment=native");
    String id = session.runJob(jt);
    assertThat(cluster.show(id))
        .containsEntry("TimeLimit", "00:01:00")
        .containsEntry("Comment", "native");
    session.wait(id, 60);

    assertThatThrownBy(() -> session.getJobProgramStatus("999999"))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("Invalid job id");
  }
}
