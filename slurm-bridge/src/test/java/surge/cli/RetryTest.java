package surge.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import surge.client.SurgeApiException;
import surge.client.SurgeUnreachableException;

class RetryTest {
  private static final URI SERVER = URI.create("http://surge.example:8080");
  private static final Shell.Polling PACE =
      new Shell.Polling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(200));

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final AtomicInteger calls = new AtomicInteger();

  private Retry retry(Duration budget) {
    return Retry.during(budget, PACE, err);
  }

  private static SurgeUnreachableException refused() {
    return new SurgeUnreachableException(SERVER, new ConnectException());
  }

  /** The request went out and no answer came: the server may have acted on it. */
  private static SurgeUnreachableException noAnswer() {
    return new SurgeUnreachableException(SERVER, new HttpTimeoutException("request timed out"));
  }

  /** Fails {@code failures} times with {@code failure}, then answers "ok". */
  private Retry.Call<String> failing(int failures, Exception failure) {
    return () -> {
      if (calls.incrementAndGet() <= failures) {
        if (failure instanceof SurgeUnreachableException u) {
          throw u;
        }
        throw (SurgeApiException) failure;
      }
      return "ok";
    };
  }

  @Test
  void aRefusedConnectionIsRetriedAndReportedOnce() throws Exception {
    String answer = retry(Duration.ofSeconds(10)).once(failing(3, refused()));

    assertThat(answer).isEqualTo("ok");
    assertThat(calls).hasValue(4);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "surge: cannot reach the Surge server at "
                + SERVER
                + ": connection refused; retrying for up to 10.0 s\n");
  }

  @Test
  void aRequestThatMayHaveArrivedIsNotSentTwice() {
    assertThatThrownBy(() -> retry(Duration.ofSeconds(10)).once(failing(1, noAnswer())))
        .isInstanceOf(SurgeUnreachableException.class);
    assertThat(calls).hasValue(1);
  }

  @Test
  void anIdempotentRequestIsSentAgainEvenThen() throws Exception {
    assertThat(retry(Duration.ofSeconds(10)).idempotent(failing(2, noAnswer()))).isEqualTo("ok");
    assertThat(calls).hasValue(3);
  }

  @Test
  void unavailableIsRetriedButAGatewayTimeoutOnlyWhenIdempotent() throws Exception {
    assertThat(
            retry(Duration.ofSeconds(10)).once(failing(1, new SurgeApiException(503, "x", null))))
        .isEqualTo("ok");
    calls.set(0);
    assertThatThrownBy(
            () ->
                retry(Duration.ofSeconds(10))
                    .once(failing(1, new SurgeApiException(504, "x", null))))
        .isInstanceOf(SurgeApiException.class);
    assertThat(calls).hasValue(1);
  }

  @Test
  void aRefusalIsNeverRetried() {
    assertThatThrownBy(
            () ->
                retry(Duration.ofSeconds(10))
                    .idempotent(failing(1, new SurgeApiException(400, "bad kernel", "kernel"))))
        .hasMessage("bad kernel");
    assertThat(calls).hasValue(1);
  }

  @Test
  void givesUpWhenTheServerStaysAwayForTheBudget() {
    long start = System.nanoTime();

    assertThatThrownBy(() -> retry(Duration.ofMillis(300)).once(failing(1000, refused())))
        .isInstanceOf(SurgeUnreachableException.class);

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isGreaterThan(Duration.ofMillis(250)).isLessThan(Duration.ofSeconds(3));
    assertThat(calls.get()).isGreaterThan(5);
  }

  @Test
  void neverMeansOnce() {
    assertThatThrownBy(() -> Retry.never().idempotent(failing(1, refused())))
        .isInstanceOf(SurgeUnreachableException.class);
    assertThat(calls).hasValue(1);
  }
}
