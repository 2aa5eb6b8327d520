package surge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import surge.dispatch.DispatcherTest.FakeChannel;
import surge.dispatch.DispatcherTest.RecordingEvents;
import surge.policies.AsyncPrefetchDispatch;
import surge.policies.CredibilityVerification;
import surge.policies.VerificationPolicy;
import surge.policies.VolunteerProfile;

/**
 * Checkpoints in the dispatcher (docs/checkpoints.md): who may send one, what is kept, who gets it,
 * and how a resumed result is verified (docs/verification.md, "Resumed results").
 */
class CheckpointTest {
  static final long INTERVAL = 2_000;

  final AtomicLong now = new AtomicLong(1_000_000);
  final RecordingEvents events = new RecordingEvents();
  final List<String> caught = new java.util.ArrayList<>();

  Dispatcher dispatcher = dispatcher(1 << 20, 64L << 20);

  Dispatcher dispatcher(int maxBytes, long memory) {
    return dispatcher(
        maxBytes,
        memory,
        new CredibilityVerification(0.2, VerificationPolicy.Blacklist.EVERYWHERE));
  }

  Dispatcher dispatcher(int maxBytes, long memory, VerificationPolicy verification) {
    return new Dispatcher(
        new AsyncPrefetchDispatch(2, Duration.ofSeconds(30)),
        events,
        now::get,
        5_000,
        5,
        n -> {},
        job -> Optional.empty(),
        DispatchLimits.defaults().withCheckpoints(INTERVAL, maxBytes, memory),
        verification,
        new Standings() {
          @Override
          public void changed(Standing s) {}

          @Override
          public void caught(Standing s, String job, String why) {
            caught.add(s.identity());
          }
        },
        Validator.NONE);
  }

  FakeChannel volunteer(String session, Standing identity) {
    var ch = new FakeChannel();
    dispatcher.connect(session, ch, new VolunteerProfile(1, "test"), 1 << 20, identity);
    return ch;
  }

  Assignment take(String session, FakeChannel ch) {
    int before = ch.tasks().size();
    dispatcher.request(session, 1);
    assertThat(ch.tasks()).as("a task for %s", session).hasSizeGreaterThan(before);
    return ch.tasks().get(ch.tasks().size() - 1);
  }

  void save(String session, Assignment t, double progress, String data) {
    now.addAndGet(INTERVAL);
    dispatcher.checkpoint(session, checkpoint(t, progress, data));
  }

  static CheckpointOffer checkpoint(Assignment t, double progress, String data) {
    return new CheckpointOffer(
        t.job(), t.index(), t.lease(), progress, data.getBytes(StandardCharsets.UTF_8));
  }

  static String text(ResumePoint r) {
    return new String(r.data(), StandardCharsets.UTF_8);
  }

  List<String> done() {
    return events.log.stream().filter(l -> l.startsWith("done")).toList();
  }

  void submit(String id, int tasks, String verify) {
    dispatcher.submit(
        VerificationTest.job(id, tasks, Verify.parse(verify, 1e-4, Comparison.BYTES)),
        new BitSet());
  }

  @Test
  void theWelcomeSaysHowOftenToSaveAndHowLargeACheckpointMayBe() {
    var ch = new FakeChannel();
    var welcome =
        dispatcher.connect(
            "a", ch, new VolunteerProfile(1, "test"), 1 << 20, new Standing("key:a", false));
    assertThat(welcome.checkpointMs()).isEqualTo(INTERVAL);
    assertThat(welcome.maxCheckpointBytes()).isEqualTo(((1 << 20) - 1024) / 4 * 3);
    var off =
        new Dispatcher(
            new AsyncPrefetchDispatch(2, Duration.ofSeconds(30)),
            events,
            now::get,
            5_000,
            5,
            n -> {},
            job -> Optional.empty(),
            DispatchLimits.defaults());
    assertThat(
            off.connect("b", new FakeChannel(), new VolunteerProfile(1, "t"), 1 << 20)
                .checkpointMs())
        .isZero();
  }

  @Test
  void aRequeuedTaskIsHandedOutWithItsLatestCheckpoint() {
    submit("j-1", 1, "replicate=1");
    var a = volunteer("a", new Standing("key:a", false));
    Assignment t = take("a", a);
    assertThat(t.checkpoint()).isEmpty();
    save("a", t, 0.25, "first");
    save("a", t, 0.5, "second");
    assertThat(dispatcher.checkpointProgress("j-1", 0)).hasValue(0.5);
    dispatcher.disconnect("a"); // abruptly: no release
    var b = volunteer("b", new Standing("key:b", false));
    Assignment again = take("b", b);
    assertThat(again.index()).isZero();
    assertThat(again.checkpoint()).hasValueSatisfying(r -> assertThat(text(r)).isEqualTo("second"));
    assertThat(again.checkpoint().get().progress()).isEqualTo(0.5);
    dispatcher.results("b", List.of(DispatcherTest.ok(again, "42")));
    assertThat(done()).containsExactly("done j-1/0 42");
    assertThat(dispatcher.checkpointProgress("j-1", 0)).isEmpty();
    var stats = dispatcher.checkpointStats();
    assertThat(stats.received()).isEqualTo(2);
    assertThat(stats.resumed()).isEqualTo(1);
    assertThat(stats.held()).isZero();
    assertThat(stats.bytes()).isZero();
  }

  @Test
  void aReleasedOrExpiredLeaseLeavesItsCheckpointForTheNext() {
    submit("j-1", 2, "replicate=1");
    var a = volunteer("a", new Standing("key:a", false));
    Assignment t0 = take("a", a);
    Assignment t1 = take("a", a);
    save("a", t0, 0.1, "zero");
    save("a", t1, 0.2, "one");
    dispatcher.release(
        "a", List.of(new LeasedTask(t0.job(), t0.index(), t0.lease())), ReleaseCause.CLOSING);
    now.addAndGet(60_000); // t1's lease lapses
    dispatcher.tick();
    var b = volunteer("b", new Standing("key:b", false));
    Assignment first = take("b", b);
    Assignment second = take("b", b);
    assertThat(List.of(first, second))
        .extracting(t -> t.index() + ":" + t.checkpoint().map(CheckpointTest::text).orElse("-"))
        .containsExactlyInAnyOrder("0:zero", "1:one");
  }

  @Test
  void onlyTheCurrentHolderOfTheLeaseMaySaveOne() {
    submit("j-1", 2, "replicate=1");
    var a = volunteer("a", new Standing("key:a", false));
    var m = volunteer("m", new Standing("key:mallory", false));
    Assignment t = take("a", a);
    Assignment mine = take("m", m);
    // Mallory quotes a's lease, or its own lease with a's task index, or another job.
    save("m", t, 0.9, "forged");
    save(
        "m",
        new Assignment(
            t.job(),
            t.index(),
            mine.lease(),
            t.kernel(),
            t.args(),
            t.env(),
            t.stdin(),
            0,
            1,
            Optional.empty()),
        0.9,
        "forged");
    save(
        "m",
        new Assignment(
            "j-9",
            mine.index(),
            mine.lease(),
            t.kernel(),
            t.args(),
            t.env(),
            t.stdin(),
            0,
            1,
            Optional.empty()),
        0.9,
        "forged");
    save("nobody", t, 0.9, "forged");
    assertThat(dispatcher.checkpointStats().received()).isZero();
    assertThat(dispatcher.checkpointStats().dropped()).isEqualTo(4);
    // After a's lease ended, a's own late checkpoint is refused too.
    dispatcher.release(
        "a", List.of(new LeasedTask(t.job(), t.index(), t.lease())), ReleaseCause.PAUSED);
    save("a", t, 0.5, "late");
    assertThat(dispatcher.checkpointProgress("j-1", t.index())).isEmpty();
  }

  @Test
  void oneCheckpointPerLeasePerHalfIntervalIsKeptAndTheRestDropped() {
    submit("j-1", 1, "replicate=1");
    var a = volunteer("a", new Standing("key:a", false));
    Assignment t = take("a", a);
    dispatcher.checkpoint("a", checkpoint(t, 0.1, "one"));
    for (int i = 0; i < 100; i++) {
      now.addAndGet(5);
      dispatcher.checkpoint("a", checkpoint(t, 0.2, "flood"));
    }
    assertThat(dispatcher.checkpointStats().received()).isEqualTo(1);
    assertThat(dispatcher.checkpointStats().dropped()).isEqualTo(100);
    now.addAndGet(INTERVAL / 2);
    dispatcher.checkpoint("a", checkpoint(t, 0.3, "two"));
    assertThat(dispatcher.checkpointProgress("j-1", 0)).hasValue(0.3);
  }

  @Test
  void checkpointsAboveTheSizeLimitAreDroppedAndTheOldestGoWhenMemoryIsFull() {
    dispatcher = dispatcher(100, 250);
    submit("j-1", 3, "replicate=1");
    var a = volunteer("a", new Standing("key:a", false));
    Assignment t0 = take("a", a);
    Assignment t1 = take("a", a);
    Assignment t2 = take("a", a);
    save("a", t0, 0.1, "x".repeat(101));
    assertThat(dispatcher.checkpointProgress("j-1", t0.index())).isEmpty();
    save("a", t0, 0.1, "x".repeat(100));
    save("a", t1, 0.1, "y".repeat(100));
    save("a", t2, 0.1, "z".repeat(100));
    assertThat(dispatcher.checkpointProgress("j-1", t0.index())).as("the oldest").isEmpty();
    assertThat(dispatcher.checkpointProgress("j-1", t1.index())).isPresent();
    assertThat(dispatcher.checkpointProgress("j-1", t2.index())).isPresent();
    var stats = dispatcher.checkpointStats();
    assertThat(stats.bytes()).isEqualTo(200);
    assertThat(stats.held()).isEqualTo(2);
    assertThat(stats.dropped()).isEqualTo(2);
    // A newer checkpoint of t1 replaces its older one and is now the youngest.
    save("a", t1, 0.2, "w".repeat(100));
    save("a", t0, 0.3, "v".repeat(100));
    assertThat(dispatcher.checkpointProgress("j-1", t2.index())).isEmpty();
    assertThat(dispatcher.checkpointProgress("j-1", t1.index())).hasValue(0.2);
  }

  @Test
  void aFailedTaskOrAnEndedJobForgetsItsCheckpoints() {
    submit("j-1", 2, "replicate=1");
    var a = volunteer("a", new Standing("key:a", false));
    volunteer("b", new Standing("key:b", false)); // so that one trap does not fail the job
    Assignment t0 = take("a", a);
    Assignment t1 = take("a", a);
    save("a", t0, 0.5, "zero");
    save("a", t1, 0.5, "one");
    dispatcher.results(
        "a",
        List.of(
            new TaskOutcome(
                t0.job(),
                t0.index(),
                t0.lease(),
                TaskOutcome.Status.TRAP,
                -1,
                new byte[0],
                new byte[0],
                1)));
    assertThat(dispatcher.checkpointProgress("j-1", 0)).as("it may be why it failed").isEmpty();
    assertThat(dispatcher.cancel("j-1", "test")).isTrue();
    assertThat(dispatcher.checkpointStats().held()).isZero();
    assertThat(dispatcher.checkpointStats().bytes()).isZero();
  }

  // ---- verification of resumed results ----

  /** {@code author} starts task 0 and saves a checkpoint, then leaves; returns its identity. */
  void startAndLeave(String session, Standing author) {
    var ch = volunteer(session, author);
    Assignment t = take(session, ch);
    save(session, t, 0.5, "state of " + author.identity());
    dispatcher.disconnect(session);
  }

  @Test
  void aResumedResultIsNotAnIndependentReplicaOfItsCheckpointsAuthor() {
    submit("j-1", 1, "replicate=2");
    Standing a = new Standing("key:a", false);
    startAndLeave("a", a);
    var b = volunteer("b", new Standing("key:b", false));
    Assignment resumed = take("b", b);
    assertThat(resumed.checkpoint()).isPresent();
    dispatcher.results("b", List.of(DispatcherTest.ok(resumed, "42")));
    assertThat(done()).isEmpty();
    // a wrote half of that answer: it may not add the second one.
    var a2 = volunteer("a2", a);
    dispatcher.request("a2", 1);
    assertThat(a2.tasks()).as("the checkpoint's author may not replicate its own work").isEmpty();
    var c = volunteer("c", new Standing("key:c", false));
    Assignment replica = take("c", c);
    assertThat(replica.checkpoint()).as("a replica starts from the beginning").isEmpty();
    dispatcher.results("c", List.of(DispatcherTest.ok(replica, "42")));
    assertThat(done()).containsExactly("done j-1/0 42");
  }

  @Test
  void aCheckpointResumedAndSavedAgainCarriesEveryAuthor() {
    submit("j-1", 1, "replicate=2");
    Standing a = new Standing("key:a", false);
    Standing b = new Standing("key:b", false);
    startAndLeave("a", a);
    var bs = volunteer("b", b);
    Assignment middle = take("b", bs);
    assertThat(middle.checkpoint()).isPresent();
    save("b", middle, 0.75, "b's state");
    dispatcher.disconnect("b");
    var c = volunteer("c", new Standing("key:c", false));
    Assignment last = take("c", c);
    assertThat(last.checkpoint().map(CheckpointTest::text)).hasValue("b's state");
    dispatcher.results("c", List.of(DispatcherTest.ok(last, "42")));
    for (var author : List.of(a, b)) {
      var again = volunteer(author.identity() + "-again", author);
      dispatcher.request(author.identity() + "-again", 1);
      assertThat(again.tasks()).as("%s wrote part of the answer", author.identity()).isEmpty();
    }
    var d = volunteer("d", new Standing("key:d", false));
    dispatcher.results("d", List.of(DispatcherTest.ok(take("d", d), "42")));
    assertThat(done()).containsExactly("done j-1/0 42");
  }

  @Test
  void aResumedResultIsNoMoreCredibleThanItsLeastCredibleContributor() {
    // A trusted machine's answer is accepted alone (credibility 1) and becomes a known answer;
    // resumed from a new identity's checkpoint (0.8) it is not.
    submit("j-1", 1, "adaptive");
    startAndLeave("n", new Standing("consent:new", false));
    var t = volunteer("t", new Standing("key:centre", true));
    Assignment resumed = take("t", t);
    assertThat(resumed.checkpoint()).isPresent();
    dispatcher.results("t", List.of(DispatcherTest.ok(resumed, "42")));
    assertThat(done()).as("not credible enough alone").isEmpty();
    // Another trusted machine from the beginning settles it.
    var t2 = volunteer("t2", new Standing("key:centre2", true));
    Assignment fresh = take("t2", t2);
    assertThat(fresh.checkpoint()).isEmpty();
    dispatcher.results("t2", List.of(DispatcherTest.ok(fresh, "42")));
    assertThat(done()).containsExactly("done j-1/0 42");
  }

  @Test
  void anOutvotedResumedResultDoubtsBothContributorsAndCatchesNeither() {
    submit("j-1", 1, "adaptive");
    Standing author = new Standing("consent:author", false);
    Standing finisher = new Standing("consent:finisher", false);
    startAndLeave("a", author);
    var f = volunteer("f", finisher);
    Assignment resumed = take("f", f);
    dispatcher.results("f", List.of(DispatcherTest.ok(resumed, "wrong")));
    var t = volunteer("t", new Standing("key:centre", true));
    Assignment fresh = take("t", t);
    dispatcher.results("t", List.of(DispatcherTest.ok(fresh, "right")));
    assertThat(done()).containsExactly("done j-1/0 right");
    assertThat(author.history().disagreements()).isEqualTo(1);
    assertThat(finisher.history().disagreements()).isEqualTo(1);
    assertThat(caught)
        .as("a trusted machine's answer proves one of them wrong, not which")
        .isEmpty();
    assertThat(f.closedWith).isNull();
  }

  @Test
  void aJointAnswerInTheWinningGroupEarnsNoAgreement() {
    submit("j-1", 1, "replicate=2");
    Standing author = new Standing("key:author", false);
    Standing finisher = new Standing("key:finisher", false);
    startAndLeave("a", author);
    var f = volunteer("f", finisher);
    dispatcher.results("f", List.of(DispatcherTest.ok(take("f", f), "42")));
    Standing solo = new Standing("key:solo", false);
    var s = volunteer("s", solo);
    dispatcher.results("s", List.of(DispatcherTest.ok(take("s", s), "42")));
    assertThat(done()).containsExactly("done j-1/0 42");
    assertThat(solo.history().agreements()).isEqualTo(1);
    assertThat(author.history().agreements()).isZero();
    assertThat(finisher.history().agreements()).isZero();
  }

  @Test
  void aCaughtVolunteersCheckpointsAreDroppedAndItsJointResultsRedone() {
    submit("j-1", 2, "adaptive");
    Standing liar = new Standing("consent:liar", false);
    var l = volunteer("l", liar);
    Assignment t0 = take("l", l);
    Assignment t1 = take("l", l);
    save("l", t1, 0.5, "liar's state");
    // t0: the liar answers wrong; a trusted machine's answer catches it.
    dispatcher.results("l", List.of(DispatcherTest.ok(t0, "wrong")));
    var t = volunteer("t", new Standing("key:centre", true));
    Assignment first = take("t", t);
    assertThat(first.index()).isEqualTo(t0.index());
    dispatcher.results("t", List.of(DispatcherTest.ok(first, "right")));
    // Caught: its lease of t1 is void, and t1 comes back without the liar's checkpoint.
    Assignment second = take("t", t);
    assertThat(second.index()).isEqualTo(t1.index());
    assertThat(second.checkpoint()).as("the liar's checkpoint is gone").isEmpty();
    assertThat(caught).contains("consent:liar");
    assertThat(dispatcher.checkpointStats().held()).isZero();
  }

  @Test
  void aSpotChecksLeaseNeitherGetsNorKeepsACheckpoint() {
    var sarmenta = new CredibilityVerification(0.2, VerificationPolicy.Blacklist.EVERYWHERE);
    dispatcher =
        dispatcher(
            1 << 20,
            64L << 20,
            new VerificationPolicy() {
              @Override
              public String name() {
                return "always-spot-check";
              }

              @Override
              public double credibility(surge.policies.VolunteerHistory h) {
                return sarmenta.credibility(h);
              }

              @Override
              public double spotCheckRate(surge.policies.VolunteerHistory h) {
                return h.trusted() ? 0 : 1;
              }

              @Override
              public Blacklist blacklist() {
                return Blacklist.EVERYWHERE;
              }
            });
    submit("j-1", 3, "adaptive");
    var t = volunteer("t", new Standing("key:centre", true));
    Assignment known = take("t", t);
    dispatcher.results("t", List.of(DispatcherTest.ok(known, "known")));
    var v = volunteer("v", new Standing("key:v", false));
    Assignment normal = take("v", v);
    save("v", normal, 0.5, "fine");
    assertThat(dispatcher.checkpointStats().received()).isEqualTo(1);
    Assignment spot = take("v", v);
    assertThat(spot.index()).as("a spot check of the known answer").isEqualTo(known.index());
    assertThat(spot.checkpoint()).isEmpty();
    save("v", spot, 0.5, "sneaky");
    assertThat(dispatcher.checkpointStats().received()).isEqualTo(1);
    assertThat(dispatcher.checkpointProgress("j-1", spot.index())).isEmpty();
  }
}
