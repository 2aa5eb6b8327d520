package surge.verification.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import surge.TestFiles;
import surge.dispatch.Validator;
import surge.kernels.control.KernelRunner;

/** The validator contract (docs/verification.md) with the sample validator, under Chicory. */
class ValidatorsTest {
  static final String TRIMMED = "1".repeat(64);
  static final String BROKEN = "2".repeat(64);

  final Validators validators =
      new Validators(
          sha ->
              sha.equals(TRIMMED)
                  ? Optional.of(TestFiles.kernel("validate-trimmed"))
                  : sha.equals(BROKEN) ? Optional.of(TestFiles.kernel("fail")) : Optional.empty(),
          new KernelRunner(64 << 20, 1 << 20),
          Duration.ofSeconds(20),
          1,
          10);

  @AfterEach
  void close() {
    validators.close();
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theSampleValidatorGroupsOutputsThatDifferOnlyInTrailingWhiteSpace() {
    Validator.Verdict v =
        validators.run(TRIMMED, 3, List.of(b("1 2\n"), b("1 3\n"), b("1 2  \r\n\n\n"), b("")));
    assertThat(v.ok()).as("%s", v.failure()).isTrue();
    assertThat(v.labels()).containsExactly(0, 1, 0, 3);
  }

  @Test
  void aValidatorThatFailsOrIsMissingSaysWhy() {
    var failed = validators.run(BROKEN, 0, List.of(b("x"), b("y")));
    assertThat(failed.ok()).isFalse();
    assertThat(failed.failure()).startsWith("it exited with code");
    var missing = validators.run("3".repeat(64), 0, List.of(b("x")));
    assertThat(missing.failure()).contains("no validator kernel");
  }

  @Test
  void judgesOnItsOwnThread() throws Exception {
    var box = new java.util.concurrent.CompletableFuture<Validator.Verdict>();
    var caller = Thread.currentThread();
    validators.judge(
        TRIMMED,
        "j-1",
        0,
        List.of(b("a"), b("a ")),
        v -> {
          assertThat(Thread.currentThread()).isNotSameAs(caller);
          box.complete(v);
        });
    assertThat(box.get(30, java.util.concurrent.TimeUnit.SECONDS).labels()).containsExactly(0, 0);
  }
}
