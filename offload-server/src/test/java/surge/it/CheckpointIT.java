package surge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Checkpoints end to end (docs/checkpoints.md): real Payara, real headless Node volunteers ({@code
 * surge-volunteer}) running the Mandelbrot sample. The first volunteer is killed (SIGKILL: no
 * release, no goodbye) in the middle of a task after it has sent checkpoints; the next resumes from
 * the latest, and the merged image is byte for byte the native build's.
 */
@ExtendWith(ArquillianExtension.class)
class CheckpointIT {
  private static final List<String> ARGS = List.of("800", "600", "10000");
  private static final int TASKS = 2;

  @Deployment(testable = false)
  @TargetsContainer("checkpoint")
  static WebArchive war() {
    return SurgeWar.forContainer("checkpoint");
  }

  @ArquillianResource URL base;
  private final List<Process> volunteers = new ArrayList<>();

  @AfterEach
  void stop() {
    volunteers.forEach(Process::destroyForcibly);
    new Api(base).cancelUnfinishedJobs();
  }

  @Test
  void aTaskResumesOnTheNextVolunteerAfterTheFirstIsKilledAndTheImageIsNative() throws Exception {
    var api = new Api(base);
    var created =
        api.postJson("/api/admin/volunteer-keys", "{\"name\":\"checkpoint-it\",\"trusted\":false}");
    assertThat(created.statusCode()).as(Api.text(created)).isEqualTo(201);
    String key = Api.object(created).getString("key");
    String job =
        api.submit(
                "{\"kernel\":\""
                    + api.kernel(TestKernels.wasm("mandelbrot"))
                    + "\",\"tasks\":"
                    + TASKS
                    + ",\"args\":[\""
                    + String.join("\",\"", ARGS)
                    + "\"],\"merge\":{\"kind\":\"concat\"}}")
            .getString("id");

    Process first = volunteer(key, "first");
    awaitMetric(api, "surge_checkpoints_received_total", 2, Duration.ofSeconds(120));
    assertThat(api.metric("surge_tasks_done_total")).as("killed mid-task").isZero();
    first.destroyForcibly().waitFor();

    volunteer(key, "second");
    api.awaitState(job, "SUCCEEDED", Duration.ofSeconds(180));
    assertThat(api.metric("surge_checkpoints_resumed_total")).isGreaterThanOrEqualTo(1);
    assertThat(api.result(job)).isEqualTo(nativeImage());
  }

  private Process volunteer(String key, String name) throws Exception {
    Path repo = Path.of(System.getProperty("surge.it.repo"));
    Path log = Path.of(System.getProperty("surge.it.data"), "checkpoint-" + name + ".log");
    Files.createDirectories(log.getParent());
    var p =
        new ProcessBuilder(
                "node",
                repo.resolve("worker-runtime/src/node/main.js").toString(),
                "--server",
                base.toString(),
                "--key",
                key,
                "--workers",
                "1")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    volunteers.add(p);
    return p;
  }

  private static void awaitMetric(Api api, String sample, double atLeast, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    double last;
    do {
      last = api.metric(sample);
      if (last >= atLeast) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(sample + " stayed at " + last + ", wanted " + atLeast);
  }

  /** The native whole-job baseline: every task's band, concatenated. */
  private static byte[] nativeImage() {
    String program = TestKernels.nativeProgram("mandelbrot").toString();
    var out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < TASKS; i++) {
      var run =
          NativeRun.run(
              program,
              ARGS,
              Map.of("SURGE_TASK_INDEX", "" + i, "SURGE_TASK_COUNT", "" + TASKS),
              new byte[0]);
      out.writeBytes(run.stdout());
    }
    return out.toByteArray();
  }
}
