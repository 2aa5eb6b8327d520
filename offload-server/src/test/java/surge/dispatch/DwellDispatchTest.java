package surge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import surge.dispatch.DispatcherTest.FakeChannel;
import surge.dispatch.DispatcherTest.RecordingEvents;
import surge.policies.AsyncPrefetchDispatch;
import surge.policies.CredibilityVerification;
import surge.policies.DispatchPolicy;
import surge.policies.DwellAwareDispatch;
import surge.policies.HeldTask;
import surge.policies.SessionView;
import surge.policies.TaskView;
import surge.policies.VerificationPolicy;
import surge.policies.VolunteerProfile;

/**
 * The dispatcher with session-aware policies: what it tells them of each session, the choice among
 * queued tasks, and tail copies (replica leases) under every verification mode.
 */
class DwellDispatchTest {
  static final long HOUR = 3_600_000;
  final AtomicLong now = new AtomicLong(1_000_000_000);
  final RecordingEvents events = new RecordingEvents();

  /** The dwell policy, recording what the dispatcher shows it. */
  static final class Recording implements DispatchPolicy {
    final DwellAwareDispatch dwell = new DwellAwareDispatch(2, Duration.ofSeconds(30));
    final List<SessionView> grants = new ArrayList<>();
    final List<String> departed = new ArrayList<>();
    final List<List<TaskView>> choices = new ArrayList<>();

    @Override
    public int batch(VolunteerProfile v) {
      return dwell.batch(v);
    }

    @Override
    public int prefetchBelow(VolunteerProfile v) {
      return dwell.prefetchBelow(v);
    }

    @Override
    public int grant(VolunteerProfile v, int requested, int held) {
      return dwell.grant(v, requested, held);
    }

    @Override
    public Duration lease(VolunteerProfile v) {
      return dwell.lease(v);
    }

    @Override
    public int grant(SessionView s, int requested) {
      grants.add(s);
      return dwell.grant(s, requested);
    }

    @Override
    public int candidates() {
      return dwell.candidates();
    }

    @Override
    public int choose(SessionView s, List<TaskView> tasks) {
      choices.add(tasks);
      return dwell.choose(s, tasks);
    }

    @Override
    public OptionalInt duplicate(SessionView taker, List<HeldTask> held) {
      return dwell.duplicate(taker, held);
    }

    @Override
    public void departed(SessionView s, boolean clean) {
      departed.add(s.kind() + " " + s.stayedMillis() + (clean ? " clean" : " abrupt"));
      dwell.departed(s, clean);
    }
  }

  final Recording recording = new Recording();

  Dispatcher dispatcher(DispatchPolicy policy) {
    return dispatcher(policy, DispatchLimits.defaults());
  }

  Dispatcher dispatcher(DispatchPolicy policy, DispatchLimits limits) {
    return new Dispatcher(
        policy,
        events,
        now::get,
        5_000,
        3,
        n -> {},
        job -> java.util.Optional.empty(),
        limits,
        new CredibilityVerification(0.2, VerificationPolicy.Blacklist.EVERYWHERE),
        Standings.NONE,
        Validator.NONE);
  }

  final Dispatcher dispatcher = dispatcher(recording);

  FakeChannel connect(Dispatcher d, String session, String identity, boolean trusted) {
    var ch = new FakeChannel();
    d.connect(
        session, ch, new VolunteerProfile(1, "test"), 1 << 20, new Standing(identity, trusted));
    return ch;
  }

  static TaskOutcome ok(Assignment t, String out, double millis) {
    return new TaskOutcome(
        t.job(),
        t.index(),
        t.lease(),
        TaskOutcome.Status.OK,
        0,
        out.getBytes(StandardCharsets.UTF_8),
        new byte[0],
        millis);
  }

  static Assignment last(FakeChannel ch) {
    var tasks = ch.tasks();
    return tasks.get(tasks.size() - 1);
  }

  /**
   * A keyed machine {@code m} that connected an hour ago has done task 0 in 40 s (so the job's
   * speed is known); then a visitor {@code b} that just arrived takes task 1, the last.
   */
  record Tail(FakeChannel machine, FakeChannel visitor, Assignment held) {}

  Tail tail(Dispatcher d, Verify verify) {
    var m = connect(d, "m", "key:m", false);
    now.addAndGet(HOUR);
    d.submit(VerificationTest.job("j-1", 2, verify), new BitSet());
    d.request("m", 1);
    Assignment first = last(m);
    now.addAndGet(40_000);
    d.results("m", List.of(ok(first, "zero", 1e9))); // claims a slow kernel: counted as 40 s
    var b = connect(d, "b", "consent:b", false);
    d.request("b", 1);
    Assignment held = last(b);
    assertThat(held.index()).isEqualTo(1);
    d.request("m", 1); // nothing queued: it waits
    now.addAndGet(1_000);
    d.tick();
    return new Tail(m, b, held);
  }

  @Test
  void tellsThePolicyEachSessionsKindStayAndMeasuredSpeed() {
    var m = connect(dispatcher, "m", "key:m", false);
    connect(dispatcher, "t", "key:t", true);
    connect(dispatcher, "b", "consent:b", false);
    dispatcher.submit(VerificationTest.job("j-1", 8, Verify.FIRST), new BitSet());
    now.addAndGet(5_000);
    dispatcher.request("m", 1);
    dispatcher.request("t", 1);
    dispatcher.request("b", 1);
    var kinds = recording.grants.stream().map(s -> s.kind() + "@" + s.stayedMillis()).toList();
    assertThat(kinds).containsExactly("KEYED@5000", "TRUSTED@5000", "BROWSER@5000");
    assertThat(recording.grants.get(0).msPerTask()).isNaN();
    assertThat(recording.grants.get(0).jobMsPerTask()).isNaN();

    now.addAndGet(800);
    // It says its kernel ran 200 ms: believed, being less than the 800 ms the server saw.
    dispatcher.results("m", List.of(ok(last(m), "x", 200)));
    dispatcher.request("m", 1);
    SessionView after = recording.grants.get(recording.grants.size() - 1);
    assertThat(after.msPerTask()).isEqualTo(200);
    assertThat(after.jobMsPerTask()).isEqualTo(200);
    assertThat(after.tasksDone()).isEqualTo(1);

    now.addAndGet(300);
    // A nonsense report counts as the lease's age (300 ms).
    dispatcher.results("m", List.of(ok(last(m), "x", Double.NaN)));
    dispatcher.request("m", 1);
    SessionView third = recording.grants.get(recording.grants.size() - 1);
    assertThat(third.msPerTask()).isEqualTo(200 + SessionStats.WEIGHT * (300 - 200));
  }

  @Test
  void aVisitorsDepartureIsADwellSampleCleanWhenItReleasedItsTasks() {
    var b = connect(dispatcher, "b", "consent:b", false);
    connect(dispatcher, "c", "consent:c", false);
    dispatcher.submit(VerificationTest.job("j-1", 4, Verify.FIRST), new BitSet());
    dispatcher.request("b", 1);
    now.addAndGet(12_000);
    Assignment t = last(b);
    dispatcher.release(
        "b", List.of(new LeasedTask(t.job(), t.index(), t.lease())), ReleaseCause.CLOSING);
    dispatcher.disconnect("b");
    now.addAndGet(3_000);
    dispatcher.disconnect("c");
    assertThat(recording.departed).containsExactly("BROWSER 12000 clean", "BROWSER 15000 abrupt");
    assertThat(recording.dwell.dwell(SessionView.Kind.BROWSER).samples()).isEqualTo(2);
  }

  @Test
  void aTailTaskHeldByANewVisitorIsCopiedOntoALongStayingMachineAndTheFirstAnswerWins() {
    var t = tail(dispatcher, Verify.FIRST);
    Assignment copy = last(t.machine());
    assertThat(copy.index()).isEqualTo(1);
    assertThat(copy.lease()).isNotEqualTo(t.held().lease());
    assertThat(dispatcher.tailStats().made()).isEqualTo(1);

    now.addAndGet(10_000);
    dispatcher.results("m", List.of(ok(copy, "one", 10_000)));
    assertThat(events.log).contains("done j-1/1 one");
    assertThat(t.visitor().cancels()).containsExactly("j-1/1");
    assertThat(dispatcher.tailStats()).isEqualTo(new TailStats(1, 1, 1));
    // the visitor's late answer changes nothing
    dispatcher.results("b", List.of(ok(t.held(), "other", 5)));
    assertThat(events.log.stream().filter(e -> e.startsWith("done j-1/1"))).hasSize(1);
    assertThat(events.log).contains("completed j-1");
  }

  @Test
  void whenTheOriginalAnswersFirstTheCopyIsCancelled() {
    var t = tail(dispatcher, Verify.FIRST);
    Assignment copy = last(t.machine());
    dispatcher.results("b", List.of(ok(t.held(), "one", 5)));
    assertThat(t.machine().cancels()).containsExactly("j-1/" + copy.index());
    assertThat(dispatcher.tailStats()).isEqualTo(new TailStats(1, 0, 1));
    assertThat(events.log).contains("done j-1/1 one", "completed j-1");
  }

  @Test
  void aVisitorLeavingWithItsTailTaskCostsNoRequeueNorAttemptWhileTheCopyRuns() {
    var t = tail(dispatcher, Verify.FIRST);
    Assignment copy = last(t.machine());
    long requeued = dispatcher.stats().requeuedTotal();
    dispatcher.disconnect("b");
    assertThat(dispatcher.stats().queued()).isZero();
    assertThat(dispatcher.stats().requeuedTotal()).isEqualTo(requeued);
    dispatcher.results("m", List.of(ok(copy, "one", 5)));
    assertThat(events.log).contains("done j-1/1 one", "completed j-1");
  }

  @Test
  void whenBothLeasesAreLostTheTaskIsQueuedAgainOnce() {
    var t = tail(dispatcher, Verify.FIRST);
    dispatcher.disconnect("b");
    dispatcher.disconnect("m");
    assertThat(dispatcher.stats().queued()).isEqualTo(1);
    assertThat(dispatcher.progress("j-1").orElseThrow().queued()).isEqualTo(1);
  }

  @Test
  void underAQuorumTheCopyIsOneMoreVoteOfADistinctIdentity() {
    var m = connect(dispatcher, "m", "key:m", false);
    now.addAndGet(HOUR);
    dispatcher.submit(
        VerificationTest.job("j-1", 2, new Verify(Verify.Mode.REPLICATE, 2, 0, Comparison.BYTES)),
        new BitSet());
    dispatcher.request("m", 1);
    now.addAndGet(40_000);
    dispatcher.results("m", List.of(ok(last(m), "zero", 1e9))); // task 0 wants a second answer
    var b = connect(dispatcher, "b", "consent:b", false);
    dispatcher.request("b", 1);
    Assignment held = last(b);
    assertThat(held.index()).isEqualTo(1);
    var c = connect(dispatcher, "c", "key:c", false);
    dispatcher.request("c", 1);
    dispatcher.results("c", List.of(ok(last(c), "zero", 5)));
    assertThat(events.log).contains("done j-1/0 zero");
    dispatcher.request("m", 1);
    now.addAndGet(1_000);
    dispatcher.tick();
    Assignment copy = last(m);
    assertThat(copy.index()).isEqualTo(1);

    dispatcher.results("b", List.of(ok(held, "one", 5)));
    // one vote; the copy out is the second answer already: the task is not queued a third time
    assertThat(events.log).doesNotContain("done j-1/1 one");
    assertThat(dispatcher.stats().queued()).isZero();
    dispatcher.results("m", List.of(ok(copy, "one", 5)));
    assertThat(events.log).contains("done j-1/1 one", "completed j-1");
  }

  @Test
  void neverCopiesOntoAnotherSessionOfTheHoldersIdentity() {
    var m = connect(dispatcher, "m", "key:m", false);
    var b2 = connect(dispatcher, "b2", "consent:b", false);
    now.addAndGet(HOUR);
    dispatcher.submit(VerificationTest.job("j-1", 2, Verify.FIRST), new BitSet());
    dispatcher.request("m", 1);
    now.addAndGet(40_000);
    dispatcher.results("m", List.of(ok(last(m), "zero", 1e9)));
    connect(dispatcher, "b1", "consent:b", false);
    dispatcher.request("b1", 1);
    // b2 has stayed an hour, b1 just came and holds the last task: but they are one browser
    dispatcher.request("b2", 1);
    now.addAndGet(1_000);
    dispatcher.tick();
    assertThat(b2.tasks()).isEmpty();
    assertThat(dispatcher.tailStats().made()).isZero();
    // another identity that stayed as long does get the copy
    dispatcher.request("m", 1);
    dispatcher.tick();
    assertThat(m.tasks()).hasSize(2);
  }

  @Test
  void policiesThatDoNotCopyNeverDo() {
    var d = dispatcher(new AsyncPrefetchDispatch(2, Duration.ofSeconds(30)));
    var t = tail(d, Verify.FIRST);
    assertThat(t.machine().tasks()).hasSize(1);
    assertThat(d.tailStats().made()).isZero();
  }

  @Test
  void aVisitorLikelyToLeaveGetsTheQueuedTaskWithTheLeastWorkLeft() {
    dispatcher.progressFrom(
        new TaskProgress() {
          @Override
          public boolean anyResumable(String job) {
            return true;
          }

          @Override
          public double remainingFraction(String job, int index) {
            return index == 4 ? 0.1 : 1;
          }
        });
    var m = connect(dispatcher, "m", "key:m", false);
    now.addAndGet(HOUR);
    dispatcher.submit(VerificationTest.job("j-1", 8, Verify.FIRST), new BitSet());
    dispatcher.request("m", 1);
    now.addAndGet(60_000);
    dispatcher.results("m", List.of(ok(last(m), "zero", 1e9))); // a task takes a minute
    var b = connect(dispatcher, "b", "consent:b", false);
    dispatcher.request("b", 1);
    assertThat(last(b).index()).isEqualTo(4);
    dispatcher.request("m", 1);
    assertThat(last(m).index()).isEqualTo(1); // it will stay: the head
    // 8 tasks, 3 taken: the choice put the others back, counted once
    assertThat(dispatcher.stats().queued()).isEqualTo(5);
    assertThat(dispatcher.progress("j-1").orElseThrow().queued()).isEqualTo(5);
    assertThat(recording.choices).isNotEmpty();
    assertThat(recording.choices.get(1)).extracting(TaskView::index).startsWith(1, 2, 3, 4);
  }

  @Test
  void withoutResumableTasksNoChoiceIsOffered() {
    var b = connect(dispatcher, "b", "consent:b", false);
    dispatcher.submit(VerificationTest.job("j-1", 8, Verify.FIRST), new BitSet());
    dispatcher.request("b", 1);
    assertThat(last(b).index()).isZero();
    assertThat(recording.choices).isEmpty();
  }

  @Test
  void aPolicyThatCopiesEverythingGetsAtMostThreeLeasesOfATask() {
    var async = new AsyncPrefetchDispatch(2, Duration.ofSeconds(30));
    var greedy =
        new DispatchPolicy() {
          @Override
          public int batch(VolunteerProfile v) {
            return async.batch(v);
          }

          @Override
          public int prefetchBelow(VolunteerProfile v) {
            return async.prefetchBelow(v);
          }

          @Override
          public int grant(VolunteerProfile v, int requested, int held) {
            return async.grant(v, requested, held);
          }

          @Override
          public Duration lease(VolunteerProfile v) {
            return async.lease(v);
          }

          @Override
          public OptionalInt duplicate(SessionView taker, List<HeldTask> held) {
            return OptionalInt.of(0);
          }
        };
    var d = dispatcher(greedy);
    d.submit(VerificationTest.job("j-1", 1, Verify.FIRST), new BitSet());
    connect(d, "h", "key:h", false);
    d.request("h", 1);
    List<FakeChannel> takers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      takers.add(connect(d, "t" + i, "key:t" + i, false));
      d.request("t" + i, 1);
    }
    d.tick();
    d.tick();
    assertThat(d.tailStats().made()).isEqualTo(TailCopies.MAX_LEASES - 1);
    assertThat(takers.stream().mapToInt(c -> c.tasks().size()).sum())
        .isEqualTo(TailCopies.MAX_LEASES - 1);
  }

  @Test
  void aNewVisitorResumesTheTaskWithTheLatestCheckpointALongStayingOneTakesTheHead() {
    var d =
        dispatcher(recording, DispatchLimits.defaults().withCheckpoints(2_000, 1 << 20, 1 << 26));
    var m = connect(d, "m", "key:m", false);
    now.addAndGet(HOUR);
    d.submit(VerificationTest.job("j-1", 8, Verify.FIRST), new BitSet());
    d.request("m", 1);
    now.addAndGet(120_000);
    d.results("m", List.of(ok(last(m), "zero", 1e9))); // a task takes two minutes
    var x1 = connect(d, "x1", "key:x1", false);
    var x2 = connect(d, "x2", "key:x2", false);
    d.request("x1", 1);
    d.request("x2", 1);
    Assignment t1 = last(x1);
    Assignment t2 = last(x2);
    now.addAndGet(2_000);
    d.checkpoint("x1", checkpoint(t1, 0.2));
    d.checkpoint("x2", checkpoint(t2, 0.9));
    d.disconnect("x2");
    d.disconnect("x1"); // queued: t1 (a fifth done), t2 (nine tenths done), then fresh ones
    var b = connect(d, "b", "consent:b", false);
    d.request("b", 1);
    Assignment resumed = last(b);
    assertThat(resumed.index()).isEqualTo(t2.index());
    assertThat(resumed.checkpoint()).isPresent();
    assertThat(resumed.checkpoint().get().progress()).isEqualTo(0.9);
    d.request("m", 1);
    assertThat(last(m).index()).isEqualTo(t1.index()); // it will stay: the head
  }

  static CheckpointOffer checkpoint(Assignment t, double progress) {
    return new CheckpointOffer(t.job(), t.index(), t.lease(), progress, new byte[] {1, 2, 3});
  }
}
