package surge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.dispatch.DispatcherTest.KERNEL;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import surge.dispatch.DispatcherTest.FakeChannel;
import surge.dispatch.DispatcherTest.RecordingEvents;
import surge.policies.AsyncPrefetchDispatch;
import surge.policies.VolunteerProfile;

/**
 * The dispatcher against volunteers that lie: about their workers, their progress (heartbeats
 * without results), their results (a forged {@code exit}) and the size of their output. Each test
 * fails on the dispatcher that trusted its volunteers.
 */
class DispatcherHostileVolunteerTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final RecordingEvents events = new RecordingEvents();
  // 4 tasks per worker, leases of 30 s; a new volunteer may hold 8, none more than 40.
  final Dispatcher dispatcher =
      dispatcher(new DispatchLimits(8, 40, minutes(10), minutes(60), 64, 3));

  Dispatcher dispatcher(DispatchLimits limits) {
    return new Dispatcher(
        new AsyncPrefetchDispatch(4, Duration.ofSeconds(30)),
        events,
        now::get,
        5_000,
        5,
        n -> {},
        job -> Optional.empty(),
        limits);
  }

  static Duration minutes(int n) {
    return Duration.ofMinutes(n);
  }

  static DispatchJob job(String id, int tasks, Optional<Duration> taskTimeout) {
    return new DispatchJob(
        id,
        tasks,
        0,
        Optional.empty(),
        1,
        Instant.EPOCH,
        Optional.empty(),
        Optional.empty(),
        i -> new DispatchJob.Payload(KERNEL, List.of(), Map.of(), new byte[0]),
        taskTimeout);
  }

  FakeChannel volunteer(Dispatcher d, String id, int workers) {
    var ch = new FakeChannel();
    d.connect(id, ch, new VolunteerProfile(workers, "test"), 1 << 20);
    return ch;
  }

  FakeChannel volunteer(String id, int workers) {
    return volunteer(dispatcher, id, workers);
  }

  static TaskOutcome ok(Assignment t, String out) {
    return result(t, TaskOutcome.Status.OK, 0, out, "");
  }

  static TaskOutcome result(
      Assignment t, TaskOutcome.Status status, int exitCode, String out, String err) {
    return new TaskOutcome(
        t.job(),
        t.index(),
        t.lease(),
        status,
        exitCode,
        out.getBytes(StandardCharsets.UTF_8),
        err.getBytes(StandardCharsets.UTF_8),
        1);
  }

  static Assignment last(FakeChannel v) {
    var tasks = v.tasks();
    return tasks.get(tasks.size() - 1);
  }

  @Test
  void aClaimOf4096WorkersGetsTheNewVolunteerAllowanceNotTwoHundredTasks() {
    var liar = volunteer("liar", 4096);
    dispatcher.submit(job("j-1", 200, Optional.empty()), new BitSet());
    dispatcher.request("liar", 200);
    assertThat(liar.tasks()).hasSize(8);
    assertThat(dispatcher.progress("j-1").orElseThrow().queued()).isEqualTo(192);
    // Asking again changes nothing: only results earn more.
    dispatcher.request("liar", 200);
    assertThat(liar.tasks()).hasSize(8);
  }

  /** Sends an ok result for every task the volunteer holds; returns how many that was. */
  int answerAll(String id, FakeChannel v, String job) {
    int done = dispatcher.progress(job).orElseThrow().done();
    var held = List.copyOf(v.tasks().subList(done, v.tasks().size()));
    dispatcher.results(id, held.stream().map(t -> ok(t, "x")).toList());
    return held.size();
  }

  @Test
  void theAllowanceDoublesWithEachRoundOfResultsUpToTheServerMaximum() {
    var v = volunteer("v1", 4096);
    dispatcher.submit(job("j-1", 500, Optional.empty()), new BitSet());
    dispatcher.request("v1", 10_000);
    List<Integer> rounds = new java.util.ArrayList<>();
    for (int round = 0; round < 6; round++) {
      rounds.add(answerAll("v1", v, "j-1"));
    }
    assertThat(rounds).containsExactly(8, 16, 32, 40, 40, 40);
  }

  @Test
  void aFailureHalvesTheAllowance() {
    var v = volunteer("v1", 4096);
    volunteer("v2", 1); // so that one failure does not decide
    dispatcher.submit(job("j-1", 100, Optional.empty()), new BitSet());
    dispatcher.request("v1", 1000);
    answerAll("v1", v, "j-1"); // 8 answered: it may hold 16 and holds 16
    assertThat(dispatcher.progress("j-1").orElseThrow().leased()).isEqualTo(16);
    Assignment failing = last(v);
    dispatcher.results("v1", List.of(result(failing, TaskOutcome.Status.EXIT, 1, "", "")));
    int before = v.tasks().size();
    dispatcher.request("v1", 10);
    // It holds 15 of an allowance of 8 now; trusting its claim, it would get one more.
    assertThat(v.tasks()).hasSize(before);
  }

  @Test
  void aVolunteerNeverHoldsMoreThanItsOwnClaimAllows() {
    var v = volunteer("v1", 1); // 4 per worker + 1 prefetch = 5
    dispatcher.submit(job("j-1", 100, Optional.empty()), new BitSet());
    dispatcher.request("v1", 100);
    for (int round = 0; round < 10; round++) {
      int done = dispatcher.progress("j-1").orElseThrow().done();
      var held = v.tasks().subList(done, v.tasks().size());
      assertThat(held).hasSizeLessThanOrEqualTo(5);
      dispatcher.results("v1", held.stream().map(t -> ok(t, "x")).toList());
    }
  }

  @Test
  void heartbeatsDoNotKeepATaskPastItsTimeLimit() {
    var v1 = volunteer("v1", 1);
    var v2 = volunteer("v2", 1);
    dispatcher.submit(job("j-1", 1, Optional.of(Duration.ofSeconds(60))), new BitSet());
    dispatcher.request("v1", 1);
    Assignment t = v1.tasks().get(0);
    assertThat(t.timeoutMs()).isEqualTo(60_000);
    assertThat(t.leaseExpires()).isEqualTo(now.get() + 30_000);
    for (int i = 0; i < 11; i++) { // 55 s of faithful heartbeats
      now.addAndGet(5_000);
      dispatcher.heartbeat("v1");
      dispatcher.heartbeat("v2");
      dispatcher.tick();
    }
    assertThat(v1.cancels()).isEmpty();
    now.addAndGet(5_000); // 60 s after the lease
    dispatcher.heartbeat("v1");
    dispatcher.heartbeat("v2");
    dispatcher.tick();
    assertThat(v1.cancels()).containsExactly("j-1/0");
    assertThat(events.failures).isEmpty(); // one volunteer's timeout, v2 may still run it
    // v1 failed it and is not given it again; v2 is.
    dispatcher.request("v1", 1);
    assertThat(v1.tasks()).hasSize(1);
    dispatcher.request("v2", 1);
    Assignment again = v2.tasks().get(0);
    assertThat(again.index()).isZero();
    dispatcher.results("v2", List.of(ok(again, "fine")));
    assertThat(events.log).contains("completed j-1");
  }

  @Test
  void aHeartbeatNeverRenewsALeaseBeyondTheLimit() {
    var v = volunteer("v1", 1);
    volunteer("v2", 1);
    dispatcher.submit(job("j-1", 1, Optional.of(Duration.ofSeconds(40))), new BitSet());
    dispatcher.request("v1", 1);
    for (int at : new int[] {10, 20, 30, 35}) {
      now.set(1_000_000 + at * 1000L);
      dispatcher.heartbeat("v1");
      dispatcher.heartbeat("v2");
      dispatcher.tick();
    }
    assertThat(v.cancels()).isEmpty();
    now.set(1_000_000 + 40_000);
    dispatcher.tick(); // the last heartbeat would hold the lease to 65 s; the limit ends it at 40
    assertThat(v.cancels()).containsExactly("j-1/0");
  }

  @Test
  void tasksOfOneJobPastTheirLimitInOneTickFailItOnceAndLeaveNoLeaseCounted() {
    var v = volunteer("v1", 2);
    dispatcher.submit(job("j-1", 3, Optional.of(Duration.ofSeconds(10))), new BitSet());
    dispatcher.request("v1", 3);
    assertThat(v.tasks()).hasSize(3);
    now.addAndGet(10_000);
    dispatcher.heartbeat("v1");
    dispatcher.tick(); // a lone volunteer: the first task's failure ends the job
    assertThat(events.failures).hasSize(1);
    assertThat(dispatcher.stats().leased()).isZero();
    assertThat(v.cancels()).containsExactlyInAnyOrder("j-1/0", "j-1/1", "j-1/2");
  }

  @Test
  void aResultAfterTheLimitIsAFailureEvenBeforeTheTickNoticed() {
    var v = volunteer("v1", 1);
    volunteer("v2", 1);
    dispatcher.submit(job("j-1", 1, Optional.of(Duration.ofSeconds(5))), new BitSet());
    dispatcher.request("v1", 1);
    now.addAndGet(5_000);
    dispatcher.results("v1", List.of(ok(last(v), "late")));
    assertThat(events.log).noneMatch(l -> l.startsWith("done"));
    assertThat(dispatcher.progress("j-1").orElseThrow().queued()).isEqualTo(1);
  }

  @Test
  void oneForgedExitDoesNotFailTheJobAndAnHonestVolunteerCompletesIt() {
    var liar = volunteer("liar", 1);
    var honest = volunteer("honest", 1);
    dispatcher.submit(job("j-1", 1, Optional.empty()), new BitSet());
    dispatcher.request("liar", 1);
    Assignment t = liar.tasks().get(0);
    dispatcher.results(
        "liar", List.of(result(t, TaskOutcome.Status.EXIT, 1, "", "you have been pwned")));
    assertThat(events.failures).isEmpty();
    assertThat(dispatcher.progress("j-1").orElseThrow().phase())
        .isNotEqualTo(JobProgress.Phase.FAILED);
    dispatcher.request("liar", 1);
    assertThat(liar.tasks()).as("the liar does not get the task it failed").hasSize(1);
    dispatcher.request("honest", 1);
    dispatcher.results("honest", List.of(ok(honest.tasks().get(0), "42")));
    assertThat(events.log).contains("done j-1/0 42", "completed j-1");
  }

  @Test
  void threeDistinctVolunteersFailingATaskFailTheJobQuotingEachOfThem() {
    var a = volunteer("a", 1);
    var b = volunteer("b", 1);
    var c = volunteer("c", 1);
    volunteer("d", 1); // idle: not every connected volunteer has failed the task
    dispatcher.submit(job("j-1", 1, Optional.empty()), new BitSet());
    dispatcher.request("a", 1);
    dispatcher.results(
        "a", List.of(result(last(a), TaskOutcome.Status.EXIT, 2, "", "a says \u001b[2Jcleared")));
    assertThat(events.failures).isEmpty();
    dispatcher.request("b", 1);
    dispatcher.results("b", List.of(result(last(b), TaskOutcome.Status.EXIT, 3, "", "b: no\n")));
    assertThat(events.failures).isEmpty();
    dispatcher.request("c", 1);
    dispatcher.results(
        "c", List.of(result(last(c), TaskOutcome.Status.TRAP, -1, "", "c: unreachable")));
    assertThat(events.failures).hasSize(1);
    JobFailure f = events.failures.get(0);
    assertThat(f.message())
        .isEqualTo(
            "task 0 failed on 3 distinct volunteers (SURGE_MAX_FAILURES=3): a exited with code 2;"
                + " b exited with code 3; c trapped");
    assertThat(f.task()).hasValue(0);
    assertThat(f.stderrTail().orElseThrow())
        .isEqualTo(
            "--- a ---\na says \ufffd[2Jcleared\n--- b ---\nb: no\n--- c ---\nc: unreachable\n");
  }

  @Test
  void whenFewerThanMaxFailuresAreConnectedEveryOneOfThemMustFailTheTask() {
    var a = volunteer("a", 1);
    var b = volunteer("b", 1);
    dispatcher.submit(job("j-1", 1, Optional.empty()), new BitSet());
    dispatcher.request("a", 1);
    dispatcher.results("a", List.of(result(last(a), TaskOutcome.Status.EXIT, 1, "", "")));
    assertThat(events.failures).isEmpty();
    dispatcher.request("b", 1);
    dispatcher.results("b", List.of(result(last(b), TaskOutcome.Status.EXIT, 1, "", "")));
    assertThat(events.failures)
        .singleElement()
        .satisfies(f -> assertThat(f.message()).startsWith("task 0 failed on 2 distinct"));
  }

  @Test
  void aTimeoutCountsTowardTheQuorumLikeAnExit() {
    var a = volunteer("a", 1);
    dispatcher.submit(job("j-1", 1, Optional.of(Duration.ofSeconds(10))), new BitSet());
    dispatcher.request("a", 1);
    assertThat(a.tasks()).hasSize(1);
    now.addAndGet(10_000);
    dispatcher.heartbeat("a");
    dispatcher.tick();
    assertThat(events.failures)
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.message())
                    .isEqualTo(
                        "task 0 failed on 1 volunteer (SURGE_MAX_FAILURES=3): a ran past its time"
                            + " limit of 10000 ms"));
  }

  @Test
  void anOutputOverTheLimitIsRefusedAndCountsAsAFailureOnThatVolunteer() {
    var big = volunteer("big", 1);
    var fit = volunteer("fit", 1);
    dispatcher.submit(job("j-1", 1, Optional.empty()), new BitSet());
    dispatcher.request("big", 1);
    dispatcher.results("big", List.of(ok(last(big), "y".repeat(65))));
    assertThat(events.log).noneMatch(l -> l.startsWith("done"));
    assertThat(events.failures).isEmpty();
    dispatcher.request("fit", 1);
    dispatcher.results("fit", List.of(ok(last(fit), "z".repeat(64))));
    assertThat(events.log).contains("done j-1/0 " + "z".repeat(64), "completed j-1");
  }

  @Test
  void volunteerTextInAJobErrorIsBoundedAndFreeOfControlCharacters() {
    var v = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 1, Optional.empty()), new BitSet());
    dispatcher.request("v1", 1);
    String hostile =
        "x".repeat(100_000) + "\u0000\u001b]0;owned\u0007\r\u202Egnp.exe\u0085\u001b[0m";
    dispatcher.results("v1", List.of(result(last(v), TaskOutcome.Status.EXIT, 9, "", hostile)));
    String tail = events.failures.get(0).stderrTail().orElseThrow();
    assertThat(tail).hasSizeLessThanOrEqualTo(4096).contains("owned").endsWith("\ufffd[0m");
    assertThat(tail.codePoints())
        .noneMatch(c -> c < 0x20 && c != '\n' && c != '\t')
        .noneMatch(c -> c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x202e);
  }
}
