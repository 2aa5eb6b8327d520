package surge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

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
import surge.policies.CredibilityVerification;
import surge.policies.VerificationPolicy;
import surge.policies.VolunteerHistory;
import surge.policies.VolunteerProfile;

/** The dispatcher's verification: quorums, credibility, spot checks, blacklisting, backtracking. */
class VerificationTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final RecordingEvents events = new RecordingEvents();
  final List<String> caught = new java.util.ArrayList<>();
  double spotRate = 0;

  /** A validator that answers on another thread, as the server's does: "same first word". */
  final List<List<String>> judged = new java.util.concurrent.CopyOnWriteArrayList<>();

  final Validator validator =
      (sha, job, index, candidates, done) -> {
        List<String> words =
            candidates.stream()
                .map(c -> new String(c, StandardCharsets.UTF_8).split(" ")[0])
                .toList();
        judged.add(words);
        new Thread(
                () -> {
                  int[] labels = new int[words.size()];
                  for (int i = 0; i < labels.length; i++) {
                    labels[i] = words.indexOf(words.get(i));
                  }
                  done.accept(new Validator.Verdict(labels, null));
                })
            .start();
      };

  final VerificationPolicy policy =
      new VerificationPolicy() {
        final CredibilityVerification sarmenta =
            new CredibilityVerification(0.2, Blacklist.EVERYWHERE);

        @Override
        public String name() {
          return "test";
        }

        @Override
        public double credibility(VolunteerHistory h) {
          return sarmenta.credibility(h);
        }

        @Override
        public double spotCheckRate(VolunteerHistory h) {
          return h.trusted() ? 0 : spotRate;
        }

        @Override
        public Blacklist blacklist() {
          return Blacklist.EVERYWHERE;
        }
      };

  final Dispatcher dispatcher =
      new Dispatcher(
          new AsyncPrefetchDispatch(2, Duration.ofSeconds(30)),
          events,
          now::get,
          5_000,
          3,
          n -> {},
          job -> Optional.empty(),
          DispatchLimits.defaults(),
          policy,
          new Standings() {
            @Override
            public void changed(Standing s) {}

            @Override
            public void caught(Standing s, String job, String why) {
              caught.add(s.identity() + " " + why);
            }
          },
          validator);

  static DispatchJob job(String id, int tasks, Verify verify) {
    return job(id, tasks, verify, 0);
  }

  static DispatchJob job(String id, int tasks, Verify verify, int priority) {
    return new DispatchJob(
        id,
        tasks,
        priority,
        Optional.empty(),
        Long.parseLong(id.substring(2)),
        Instant.EPOCH,
        Optional.empty(),
        Optional.empty(),
        i -> new DispatchJob.Payload("a".repeat(64), List.of(), Map.of(), new byte[0]),
        Optional.empty(),
        verify,
        "alice");
  }

  static Verify adaptive(double error) {
    return new Verify(Verify.Mode.ADAPTIVE, 0, error, Comparison.BYTES);
  }

  FakeChannel volunteer(String session, Standing identity) {
    var ch = new FakeChannel();
    dispatcher.connect(session, ch, new VolunteerProfile(1, "test"), 1 << 20, identity);
    return ch;
  }

  /** Asks for one task, answers it with {@code answer}; returns the task. */
  Assignment work(String session, FakeChannel ch, String answer) {
    int before = ch.tasks().size();
    dispatcher.request(session, 1);
    var got = ch.tasks();
    assertThat(got).as("a task for %s", session).hasSizeGreaterThan(before);
    Assignment t = got.get(got.size() - 1);
    dispatcher.results(session, List.of(DispatcherTest.ok(t, answer)));
    return t;
  }

  List<String> done() {
    return events.log.stream().filter(l -> l.startsWith("done")).toList();
  }

  @Test
  void aQuorumNeedsDistinctIdentitiesNotSessions() {
    dispatcher.submit(
        job("j-1", 1, Verify.parse("replicate=2", 0, Comparison.BYTES)), new BitSet());
    Standing alice = new Standing("key:alice", false);
    var a1 = volunteer("a1", alice);
    var a2 = volunteer("a2", alice);
    work("a1", a1, "42");
    assertThat(done()).isEmpty();
    dispatcher.request("a2", 1);
    assertThat(a2.tasks()).as("the same identity may not answer twice").isEmpty();
    var b = volunteer("b", new Standing("key:bob", false));
    work("b", b, "42");
    assertThat(done()).containsExactly("done j-1/0 42");
    assertThat(events.log).contains("completed j-1");
    var report = dispatcher.progress("j-1").orElseThrow().verification();
    assertThat(report.results()).isEqualTo(2);
    assertThat(report.work()).isEqualTo(2.0);
  }

  @Test
  void adaptiveReplicatesNewVolunteersUntilTheirAgreementIsCredible() {
    // New identities are believed 0.8: two agreeing are 0.94, three 0.985, so 1e-1 takes two.
    dispatcher.submit(job("j-2", 1, adaptive(0.1)), new BitSet());
    var a = volunteer("a", new Standing("consent:a", false));
    var b = volunteer("b", new Standing("consent:b", false));
    work("a", a, "7");
    assertThat(done()).isEmpty();
    work("b", b, "7");
    assertThat(done()).containsExactly("done j-2/0 7");
  }

  @Test
  void aTrustedMachineSettlesADisagreementAndTheLiarIsCaughtAndClosed() {
    dispatcher.submit(job("j-3", 2, adaptive(1e-4)), new BitSet());
    Standing liar = new Standing("consent:liar", false);
    var l = volunteer("l", liar);
    work("l", l, "wrong");
    var t = volunteer("t", new Standing("key:centre", true));
    // Replicas wait at the back of the queue: task 1 first, then the liar's task 0 again.
    assertThat(work("t", t, "right").index()).isEqualTo(1);
    assertThat(caught).isEmpty();
    assertThat(work("t", t, "right").index()).isEqualTo(0);
    assertThat(caught).singleElement().asString().startsWith("consent:liar");
    assertThat(l.closedWith).isEqualTo(4403);
    assertThat(liar.barredEverywhere()).isTrue();
    // The liar's other sessions are refused work too.
    var l2 = volunteer("l2", liar);
    dispatcher.request("l2", 1);
    assertThat(l2.tasks()).isEmpty();
  }

  @Test
  void aServerAnswerCatchesAPendingLiarAndBacktracksItsAcceptedResults() {
    // With 0.5 as the target one new volunteer's answer is accepted alone; with 1e-4 it is not.
    dispatcher.submit(job("j-41", 3, adaptive(0.5)), new BitSet());
    dispatcher.submit(job("j-42", 1, adaptive(1e-4), 1), new BitSet());
    Standing sab = new Standing("key:sab", false);
    var s = volunteer("s", sab);
    assertThat(work("s", s, "bad").job()).isEqualTo("j-42");
    assertThat(done()).isEmpty();
    work("s", s, "bad");
    work("s", s, "bad");
    assertThat(done()).containsExactly("done j-41/0 bad", "done j-41/1 bad");
    // The server computes j-42's task itself: the pending answer differs, so the saboteur is
    // caught, and its answers accepted in j-41 are thrown away and queued again.
    dispatcher.serverResult("j-42", 0, "good".getBytes(StandardCharsets.UTF_8), 1);
    assertThat(sab.barredEverywhere()).isTrue();
    assertThat(events.log).contains("undone j-41/0", "undone j-41/1", "done j-42/0 good");
    assertThat(dispatcher.progress("j-41").orElseThrow().done()).isZero();
    assertThat(dispatcher.progress("j-41").orElseThrow().queued()).isEqualTo(3);
  }

  @Test
  void aSpotCheckCatchesAVolunteerThatLiesOnAKnownAnswer() {
    dispatcher.submit(job("j-5", 4, adaptive(0.5)), new BitSet());
    dispatcher.serverResult("j-5", 3, "known3".getBytes(StandardCharsets.UTF_8), 1);
    Standing sab = new Standing("key:sab", false);
    var s = volunteer("s", sab);
    Assignment first = work("s", s, "lie");
    spotRate = 0.999_999;
    assertThat(first.index()).isNotEqualTo(3);
    // Its next task is the spot check of task 3: it lies and is caught; its accepted answer for
    // the first task is thrown away and the task queued again.
    Assignment spot = work("s", s, "lie");
    assertThat(spot.index()).isEqualTo(3);
    assertThat(sab.barredEverywhere()).isTrue();
    assertThat(s.closedWith).isEqualTo(4403);
    assertThat(events.log).contains("undone j-5/" + first.index());
    var report = dispatcher.progress("j-5").orElseThrow().verification();
    assertThat(report.blacklisted()).isEqualTo(1);
    assertThat(report.recomputed()).isEqualTo(1);
    assertThat(report.spotChecks()).isEqualTo(1);
    // An honest volunteer finishes the job; the result holds no lie.
    spotRate = 0;
    var h = volunteer("h", new Standing("key:honest", false));
    for (int i = 0; i < 3; i++) {
      Assignment t = work("h", h, "ok");
      assertThat(t.index()).isNotEqualTo(3);
    }
    assertThat(events.log).contains("completed j-5");
  }

  @Test
  void aVolunteerCaughtWithDemandLeftIsGivenNothingMore() {
    dispatcher.submit(job("j-51", 6, adaptive(0.5)), new BitSet());
    dispatcher.serverResult("j-51", 5, "known".getBytes(StandardCharsets.UTF_8), 1);
    var s = volunteer("s", new Standing("key:sab", false));
    work("s", s, "lie");
    spotRate = 0.999_999;
    dispatcher.request("s", 5); // a spot check first, then ordinary tasks; demand left over
    var spot = s.tasks().stream().filter(t -> t.index() == 5).findFirst().orElseThrow();
    int before = s.tasks().size();
    dispatcher.results("s", List.of(DispatcherTest.ok(spot, "lie")));
    assertThat(s.closedWith).isEqualTo(4403);
    assertThat(s.tasks()).hasSize(before);
    assertThat(dispatcher.progress("j-51").orElseThrow().leased()).isZero();
  }

  @Test
  void anAnswerCredibleAloneIsStillAuditedAtTheSpotCheckRateByAnotherIdentity() {
    spotRate = 0.999_999; // every answer audited
    dispatcher.submit(job("j-52", 1, adaptive(0.5)), new BitSet());
    var a = volunteer("a", new Standing("key:a", false));
    var b = volunteer("b", new Standing("key:b", false));
    var c = volunteer("c", new Standing("key:c", false));
    work("a", a, "lie");
    assertThat(done()).as("credible alone, but audited").isEmpty();
    work("b", b, "truth");
    assertThat(done()).as("two answers that disagree: neither is enough").isEmpty();
    work("c", c, "truth");
    assertThat(done()).containsExactly("done j-52/0 truth");
    assertThat(dispatcher.progress("j-52").orElseThrow().verification().disagreements())
        .isEqualTo(1);
  }

  @Test
  void aVolunteerOutvotedByCredibleAgreementHasItsUnmergedResultsVerifiedAgain() {
    dispatcher.submit(job("j-61", 3, adaptive(0.5)), new BitSet());
    var liar = volunteer("l", new Standing("key:liar", false));
    Assignment alone = work("l", liar, "lie");
    assertThat(done()).containsExactly("done j-61/" + alone.index() + " lie");
    dispatcher.submit(
        job("j-62", 1, Verify.parse("replicate=2", 0, Comparison.BYTES), 1), new BitSet());
    assertThat(work("l", liar, "lie").job()).isEqualTo("j-62");
    work("a", volunteer("a", new Standing("key:a", false)), "truth");
    work("b", volunteer("b", new Standing("key:b", false)), "truth");
    assertThat(events.log).contains("done j-62/0 truth", "undone j-61/" + alone.index());
    assertThat(liar.closedWith).as("doubted, not caught: no known answer").isNull();
  }

  @Test
  void aTrustedMachinesAnswerBecomesASpotCheckForOthers() {
    dispatcher.submit(job("j-71", 4, adaptive(1e-4)), new BitSet());
    Assignment known = work("t", volunteer("t", new Standing("key:centre", true)), "right");
    var s = volunteer("s", new Standing("key:sab", false));
    work("s", s, "lie");
    spotRate = 0.999_999;
    Assignment spot = work("s", s, "lie");
    assertThat(spot.index()).isEqualTo(known.index());
    assertThat(s.closedWith).isEqualTo(4403);
    assertThat(caught).singleElement().asString().contains("spot check");
  }

  @Test
  void noneSendsTasksToTrustedMachinesOnly() {
    dispatcher.submit(job("j-6", 1, Verify.parse("none", 0, Comparison.BYTES)), new BitSet());
    var u = volunteer("u", new Standing("consent:u", false));
    dispatcher.request("u", 1);
    assertThat(u.tasks()).isEmpty();
    var t = volunteer("t", new Standing("key:t", true));
    work("t", t, "x");
    assertThat(done()).containsExactly("done j-6/0 x");
  }

  @Test
  void aTaskWhoseAnswersNeverAgreeFailsTheJobSayingWhy() {
    dispatcher.submit(
        job("j-7", 1, Verify.parse("replicate=2", 0, Comparison.BYTES)), new BitSet());
    for (int i = 0; i < 5; i++) {
      var v = volunteer("v" + i, new Standing("consent:" + i, false));
      work("v" + i, v, "answer " + i);
    }
    assertThat(events.failures)
        .singleElement()
        .extracting(JobFailure::message)
        .asString()
        .contains("task 0 could not be verified (--verify=replicate=2)")
        .contains("5 results");
  }

  @Test
  void aValidatorKernelDecidesWhichAnswersAgreeOffTheLock() throws Exception {
    var verify = Verify.parse("replicate=2", 0, Comparison.parse("kernel:" + "b".repeat(64)));
    dispatcher.submit(job("j-8", 1, verify), new BitSet());
    var a = volunteer("a", new Standing("key:a", false));
    var b = volunteer("b", new Standing("key:b", false));
    work("a", a, "42 computed in 3 ms");
    // The validator has one candidate: one answer is no quorum of two; the task goes back.
    awaitQueued("j-8", 1);
    work("b", b, "42 computed in 5 ms");
    for (int i = 0; i < 100 && !events.log.contains("completed j-8"); i++) {
      Thread.sleep(20);
    }
    assertThat(judged).last().isEqualTo(List.of("42", "42"));
    assertThat(done()).containsExactly("done j-8/0 42 computed in 3 ms");
  }

  void awaitQueued(String job, int n) throws InterruptedException {
    for (int i = 0; i < 100 && dispatcher.progress(job).orElseThrow().queued() != n; i++) {
      Thread.sleep(20);
    }
    assertThat(dispatcher.progress(job).orElseThrow().queued()).isEqualTo(n);
  }

  @Test
  void twoSessionsOfOneIdentityFailingATaskAreOneVoiceInTheFailureQuorum() {
    dispatcher.submit(job("j-9", 1, Verify.FIRST), new BitSet());
    Standing mallory = new Standing("consent:mallory", false);
    var m1 = volunteer("m1", mallory);
    var m2 = volunteer("m2", mallory);
    volunteer("h", new Standing("consent:honest", false));
    dispatcher.request("m1", 1);
    Assignment t = m1.tasks().get(0);
    dispatcher.results(
        "m1",
        List.of(
            new TaskOutcome(
                t.job(),
                t.index(),
                t.lease(),
                TaskOutcome.Status.EXIT,
                3,
                new byte[0],
                new byte[0],
                1)));
    dispatcher.request("m2", 1);
    assertThat(m2.tasks()).as("its other session may not retry what it failed").isEmpty();
    assertThat(events.failures).isEmpty();
  }

  @Test
  void numericComparisonAcceptsAgreementWithinTheTolerance() {
    var numeric = Comparison.parse("numeric:1e-6");
    assertThat(numeric.agree("3.1415926 10\n".getBytes(), "3.1415927 10".getBytes())).isTrue();
    assertThat(numeric.agree("3.14 10".getBytes(), "3.15 10".getBytes())).isFalse();
    assertThat(numeric.agree("3.14 10".getBytes(), "3.14".getBytes())).isFalse();
    assertThat(numeric.agree("pi 1".getBytes(), "pie 1".getBytes())).isFalse();
    assertThat(numeric.agree("NaN".getBytes(), "NaN".getBytes())).isTrue();
    assertThat(numeric.agree("NaN".getBytes(), "1".getBytes())).isFalse();
  }
}
