package surge.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Result verification on the real server (docs/verification.md) against saboteur volunteers: test
 * code that speaks the protocol, runs each task with the kernel's native build and, when it lies,
 * changes the answer. Every merged result must equal the native build's.
 */
@ExtendWith(ArquillianExtension.class)
class VerificationIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int TASKS = 40;

  @Deployment(testable = false)
  @TargetsContainer("hostile")
  static WebArchive war() {
    return SurgeWar.forContainer("hostile");
  }

  @ArquillianResource URL base;
  private Api api;
  private final List<Volunteer> volunteers = new ArrayList<>();

  @BeforeEach
  void client() {
    api = new Api(base);
  }

  @AfterEach
  void stop() {
    volunteers.forEach(Volunteer::stop);
    api.cancelUnfinishedJobs();
  }

  /** How a test volunteer answers. */
  enum Lie {
    NEVER,
    /** Always, a wrong answer of its own. */
    ALWAYS,
    /** Always, the same wrong answer as every other colluder for the same task. */
    COLLUDE,
    /** Right for its first 10 results, then always wrong. */
    SLEEPER,
    /** Wrong one time in three, at random. */
    SOMETIMES
  }

  /** A volunteer on its own thread: asks, computes natively, answers (or lies). */
  final class Volunteer {
    final VolunteerClient client;
    final Lie lie;
    final AtomicInteger results = new AtomicInteger();
    final AtomicInteger lies = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    Volunteer(String key, Lie lie) {
      this.lie = lie;
      this.client = VolunteerClient.connect(api.volunteerSocket());
      client.helloWithKey(key);
      this.thread = new Thread(this::loop, "volunteer-" + lie);
      thread.setDaemon(true);
      thread.start();
      volunteers.add(this);
    }

    private void loop() {
      String program = TestKernels.nativeProgram("montecarlo").toString();
      while (running && client.isOpen()) {
        client.request(2);
        List<JsonObject> tasks = client.tasksWithin(Duration.ofMillis(300));
        List<JsonObject> answers = new ArrayList<>();
        for (JsonObject t : tasks) {
          JsonObject right = NativeRun.result(program, t);
          int n = results.incrementAndGet();
          boolean lying =
              switch (lie) {
                case NEVER -> false;
                case ALWAYS, COLLUDE -> true;
                case SLEEPER -> n > 10;
                case SOMETIMES -> java.util.concurrent.ThreadLocalRandom.current().nextInt(3) == 0;
              };
          if (!lying) {
            answers.add(right);
            continue;
          }
          lies.incrementAndGet();
          // A plausible answer: the hits changed, the shape kept.
          long wrongHits =
              lie == Lie.COLLUDE ? 1000 + t.getInt("index") : 1000 + System.nanoTime() % 997;
          byte[] out = (wrongHits + " 2000\n").getBytes(StandardCharsets.UTF_8);
          answers.add(NativeRun.resultOf(t, "ok", 0, out, new byte[0], 1));
        }
        if (!answers.isEmpty() && client.isOpen()) {
          try {
            client.results(answers);
          } catch (RuntimeException closed) {
            return;
          }
        }
      }
    }

    void stop() {
      running = false;
      client.close();
    }

    /** Whether the server closed it as a cheat (4403) within a few seconds. */
    boolean closedForCheating() {
      try {
        return client.awaitClose(Duration.ofSeconds(10)).code() == 4403;
      } catch (AssertionError | RuntimeException stillOpen) {
        return false;
      }
    }
  }

  private String key(boolean trusted) {
    var response =
        api.postJson(
            "/api/admin/volunteer-keys",
            "{\"name\":\"verification-it\",\"trusted\":" + trusted + "}");
    assertThat(response.statusCode()).isEqualTo(201);
    return Api.object(response).getString("key");
  }

  private String submit(String verify) {
    return submit(verify, "");
  }

  private String submit(String verify, String extra) {
    return api.submit(
            "{\"kernel\":\""
                + api.kernel(TestKernels.wasm("montecarlo"))
                + "\",\"tasks\":"
                + TASKS
                + ",\"args\":[\"2000\"],\"verify\":\""
                + verify
                + "\""
                + extra
                + "}")
        .getString("id");
  }

  /** The job's tasks run one by one with the native build, concatenated: the right result. */
  private static byte[] nativeResult() {
    String program = TestKernels.nativeProgram("montecarlo").toString();
    var out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < TASKS; i++) {
      var run =
          NativeRun.run(
              program,
              List.of("2000"),
              Map.of("SURGE_TASK_INDEX", "" + i, "SURGE_TASK_COUNT", "" + TASKS),
              new byte[0]);
      out.writeBytes(run.stdout());
    }
    return out.toByteArray();
  }

  @Test
  void liarsAreOutvotedByATrustedMachineBlacklistedAndTheResultIsExact() {
    String job = submit("adaptive");
    var trusted = new Volunteer(key(true), Lie.NEVER);
    var liar = new Volunteer(key(false), Lie.ALWAYS);
    var colluderA = new Volunteer(key(false), Lie.COLLUDE);
    var colluderB = new Volunteer(key(false), Lie.COLLUDE);
    var sleeper = new Volunteer(key(false), Lie.SLEEPER);
    var sometimes = new Volunteer(key(false), Lie.SOMETIMES);
    JsonObject done = api.awaitState(job, "SUCCEEDED", WAIT);
    assertThat(api.result(job)).isEqualTo(nativeResult());
    JsonObject v = done.getJsonObject("verification");
    assertThat(v.getString("mode")).isEqualTo("adaptive");
    assertThat(v.getString("summary")).startsWith("verified (adaptive): " + TASKS + " tasks");
    // Every saboteur that lied was caught: by a spot check or by the trusted machine's answer.
    for (var s : List.of(liar, colluderA, colluderB, sleeper, sometimes)) {
      if (s.lies.get() > 0) {
        assertThat(s.closedForCheating()).as("%s lied %d times", s.lie, s.lies.get()).isTrue();
      }
    }
    assertThat(trusted.client.isOpen()).isTrue();
    assertThat(v.getInt("blacklisted")).isPositive();
    assertThat(api.metric("surge_volunteers_blacklisted")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aFixedQuorumOfTwoDistinctVolunteersOutvotesALoneLiar() {
    String job = submit("replicate=2");
    var honestA = new Volunteer(key(false), Lie.NEVER);
    var honestB = new Volunteer(key(false), Lie.NEVER);
    var liar = new Volunteer(key(false), Lie.ALWAYS);
    JsonObject done = api.awaitState(job, "SUCCEEDED", WAIT);
    assertThat(api.result(job)).isEqualTo(nativeResult());
    JsonObject v = done.getJsonObject("verification");
    assertThat(v.getInt("results")).isGreaterThanOrEqualTo(2 * TASKS);
    assertThat(v.getJsonNumber("work").doubleValue()).isGreaterThanOrEqualTo(2.0);
    assertThat(v.getInt("disagreements"))
        .isEqualTo(liar.lies.get() > 0 ? v.getInt("disagreements") : 0);
    assertThat(honestA.client.isOpen() && honestB.client.isOpen()).isTrue();
  }

  @Test
  void aValidatorKernelOnTheServerDecidesWhichAnswersAgree() {
    String validator = api.kernel(TestKernels.wasm("validate-trimmed"));
    String job = submit("replicate=2", ",\"compare\":\"kernel:" + validator + "\"");
    new Volunteer(key(false), Lie.NEVER);
    new Volunteer(key(false), Lie.NEVER);
    var liar = new Volunteer(key(false), Lie.ALWAYS);
    JsonObject done = api.awaitState(job, "SUCCEEDED", WAIT);
    assertThat(api.result(job)).isEqualTo(nativeResult());
    assertThat(done.getJsonObject("verification").getString("compare"))
        .isEqualTo("kernel:" + validator);
    if (liar.lies.get() > 2) {
      assertThat(done.getJsonObject("verification").getInt("disagreements")).isPositive();
    }
    var unknown =
        api.postJson(
            "/api/jobs",
            "{\"kernel\":\""
                + api.kernel(TestKernels.wasm("montecarlo"))
                + "\",\"tasks\":1,\"compare\":\"kernel:"
                + "0".repeat(64)
                + "\"}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(new String(unknown.body(), StandardCharsets.UTF_8)).contains("no validator kernel");
  }

  @Test
  void aJobAskingForVerificationIsRefusedWithAClearReasonWhenMalformed() {
    var response =
        api.postJson(
            "/api/jobs",
            "{\"kernel\":\""
                + api.kernel(TestKernels.wasm("montecarlo"))
                + "\",\"tasks\":1,\"verify\":\"replicate=0\"}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new String(response.body(), StandardCharsets.UTF_8))
        .contains("replicate=N (N from 1 to 16)")
        .contains("verify");
    response =
        api.postJson(
            "/api/jobs",
            "{\"kernel\":\""
                + api.kernel(TestKernels.wasm("montecarlo"))
                + "\",\"tasks\":1,\"verify\":\"none\",\"verifyError\":0.001}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("verifyError");
  }
}
