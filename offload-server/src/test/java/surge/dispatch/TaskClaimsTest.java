package surge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import surge.policies.VolunteerProfile;

/** The dispatcher asks its claiming hook for work and tells it what became of the tasks. */
class TaskClaimsTest {
  final DispatcherTest t = new DispatcherTest();
  final Dispatcher dispatcher = t.dispatcher;

  /** Claims a job's tasks two at a time, as a database-backed hook would in batches. */
  final class TwoAtATime implements TaskClaims {
    final List<String> log = new ArrayList<>();
    final BitSet unclaimed = new BitSet();
    String job;

    BitSet take(int n) {
      BitSet b = new BitSet();
      for (int i = unclaimed.nextSetBit(0); i >= 0 && n > 0; i = unclaimed.nextSetBit(i + 1), n--) {
        b.set(i);
      }
      unclaimed.andNot(b);
      return b;
    }

    @Override
    public BitSet onSubmit(DispatchJob j, BitSet pending) {
      job = j.id();
      unclaimed.or(pending);
      return take(2);
    }

    @Override
    public int lowMark() {
      return 1;
    }

    @Override
    public void runningLow(long queued) {
      log.add("low " + queued);
      BitSet more = take(2);
      if (!more.isEmpty()) {
        assertThat(dispatcher.claimed(job, more)).isTrue();
      }
    }

    @Override
    public void done(String j, int index) {
      log.add("done " + index);
    }

    @Override
    public void released(String j, int index) {
      log.add("released " + index);
    }
  }

  DispatcherTest.FakeChannel volunteer(String id) {
    var ch = new DispatcherTest.FakeChannel();
    dispatcher.connect(id, ch, new VolunteerProfile(8, "test"), 1 << 20);
    return ch;
  }

  @Test
  void byDefaultEveryTaskIsLocalAndNothingIsClaimed() {
    var v = volunteer("v1");
    dispatcher.submit(DispatcherTest.job("j-1", 5, 0), new BitSet());
    dispatcher.request("v1", 5);
    assertThat(v.tasks()).extracting(Assignment::index).containsExactly(0, 1, 2, 3, 4);
    assertThat(dispatcher.claimed("j-9", new BitSet())).isFalse(); // no such job here
  }

  @Test
  void onlyTheClaimedTasksAreQueuedAndALowQueueAsksForMore() {
    var claims = new TwoAtATime();
    dispatcher.claimsFrom(claims);
    var v = volunteer("v1");
    dispatcher.submit(DispatcherTest.job("j-1", 5, 0), new BitSet());
    assertThat(dispatcher.stats().queued()).isEqualTo(2);
    dispatcher.request("v1", 5);
    // Two given at once; the empty queue asked for more, got two, then one: all five out.
    assertThat(v.tasks()).extracting(Assignment::index).containsExactly(0, 1, 2, 3, 4);
    assertThat(claims.log).startsWith("low 0");
  }

  @Test
  void theHookHearsOfEachAcceptedTaskAndOfTheTasksAnEndedJobReleases() {
    var claims = new TwoAtATime();
    dispatcher.claimsFrom(claims);
    var v = volunteer("v1");
    dispatcher.submit(DispatcherTest.job("j-1", 4, 0), new BitSet());
    dispatcher.request("v1", 1);
    Assignment first = v.tasks().get(0);
    dispatcher.results("v1", List.of(DispatcherTest.ok(first, "x")));
    assertThat(claims.log).contains("done " + first.index());
    assertThat(dispatcher.cancel("j-1", "by its owner")).isTrue();
    assertThat(claims.log).containsSubsequence("released 1", "released 2", "released 3");
    assertThat(claims.log).doesNotContain("released 0");
  }

  @Test
  void aClaimedTaskAlreadyQueuedOrLeasedHereIsNotQueuedTwice() {
    var claims = new TwoAtATime();
    dispatcher.claimsFrom(claims);
    var v = volunteer("v1");
    dispatcher.submit(DispatcherTest.job("j-1", 4, 0), new BitSet());
    BitSet again = new BitSet();
    again.set(0, 2);
    assertThat(dispatcher.claimed("j-1", again)).isTrue();
    assertThat(dispatcher.stats().queued()).isEqualTo(2);
  }

  @Test
  void aTaskDoneHereThatIsClaimedAgainRunsAgainAndAJobThatWentToMergingRunsAgain() {
    var claims = new TwoAtATime();
    dispatcher.claimsFrom(claims);
    var v = volunteer("v1");
    dispatcher.submit(DispatcherTest.job("j-1", 2, 0), new BitSet());
    dispatcher.request("v1", 2);
    for (Assignment a : v.tasks()) {
      dispatcher.results("v1", List.of(DispatcherTest.ok(a, "x")));
    }
    assertThat(dispatcher.progress("j-1").orElseThrow().phase())
        .isEqualTo(JobProgress.Phase.MERGING);
    // The shared state refused task 1's result (this instance's claim had lapsed) and it came back.
    BitSet back = new BitSet();
    back.set(1);
    assertThat(dispatcher.claimed("j-1", back)).isTrue();
    var progress = dispatcher.progress("j-1").orElseThrow();
    assertThat(progress.phase()).isEqualTo(JobProgress.Phase.RUNNING);
    assertThat(progress.done()).isEqualTo(1);
    dispatcher.request("v1", 1);
    assertThat(v.tasks()).extracting(Assignment::index).containsExactly(0, 1, 1);
  }

  @Test
  void aJobReleasedBecauseItEndedElsewhereCancelsItsLeasesWithoutAnEventAndIsForgotten() {
    var claims = new TwoAtATime();
    dispatcher.claimsFrom(claims);
    var v = volunteer("v1");
    dispatcher.submit(DispatcherTest.job("j-1", 4, 0), new BitSet());
    dispatcher.request("v1", 2);
    Assignment first = v.tasks().get(0);
    dispatcher.results("v1", List.of(DispatcherTest.ok(first, "x")));
    int eventsBefore = t.events.log.size();
    assertThat(dispatcher.release("j-1", "it ended on another instance", true)).isTrue();
    assertThat(t.events.reports)
        .as("the report of the part done here")
        .singleElement()
        .satisfies(r -> assertThat(r.accepted()).isEqualTo(1));
    assertThat(v.cancels()).containsExactly("j-1/1");
    assertThat(dispatcher.progress("j-1")).isEmpty();
    assertThat(dispatcher.stats().queued()).isZero();
    assertThat(t.events.log.subList(eventsBefore, t.events.log.size()))
        .noneMatch(e -> e.startsWith("cancelled") || e.startsWith("completed"));
    assertThat(dispatcher.release("j-1", "again", true)).isFalse();
    assertThat(t.events.reports).hasSize(1);
    assertThat(dispatcher.claimed("j-1", new BitSet())).isFalse();
  }
}
