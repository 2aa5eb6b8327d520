package surge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import surge.policies.AsyncPrefetchDispatch;
import surge.policies.VolunteerProfile;

class DispatcherTest {
  static final String KERNEL = "a".repeat(64);
  final AtomicLong now = new AtomicLong(1_000_000);
  final RecordingEvents events = new RecordingEvents();
  final Dispatcher dispatcher =
      new Dispatcher(
          new AsyncPrefetchDispatch(2, Duration.ofSeconds(30)),
          events,
          now::get,
          5_000,
          3,
          n -> {},
          job -> Optional.empty(),
          DispatchLimits.defaults());

  static DispatchJob job(String id, int tasks, int priority) {
    return new DispatchJob(
        id,
        tasks,
        priority,
        Optional.empty(),
        Long.parseLong(id.substring(2)),
        Instant.EPOCH,
        Optional.empty(),
        Optional.empty(),
        i ->
            new DispatchJob.Payload(
                KERNEL,
                List.of("arg"),
                Map.of("SURGE_TASK_INDEX", "" + i),
                ("in" + i).getBytes(StandardCharsets.UTF_8)));
  }

  FakeChannel volunteer(String id, int workers) {
    var ch = new FakeChannel();
    dispatcher.connect(id, ch, new VolunteerProfile(workers, "test"), 1 << 20);
    return ch;
  }

  static TaskOutcome ok(Assignment t, String out) {
    return new TaskOutcome(
        t.job(),
        t.index(),
        t.lease(),
        TaskOutcome.Status.OK,
        0,
        out.getBytes(StandardCharsets.UTF_8),
        new byte[0],
        1);
  }

  @Test
  void tasksGoToAVolunteerThatAsksWithLeasesAndPayloads() {
    var v = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 3, 0), new BitSet());
    assertThat(v.tasks()).isEmpty(); // nothing until it asks
    dispatcher.request("v1", 2);
    List<Assignment> got = v.tasks();
    assertThat(got).extracting(Assignment::index).containsExactly(0, 1);
    assertThat(got.get(1).env()).containsEntry("SURGE_TASK_INDEX", "1");
    assertThat(new String(got.get(1).stdin(), StandardCharsets.UTF_8)).isEqualTo("in1");
    assertThat(got.get(0).leaseExpires()).isEqualTo(now.get() + 30_000);
    assertThat(got.get(0).lease()).isNotEqualTo(got.get(1).lease());
    assertThat(events.log).containsExactly("started j-1");
    assertThat(dispatcher.progress("j-1").orElseThrow().leased()).isEqualTo(2);
  }

  @Test
  void demandWaitsForWorkAndIsServedTheMomentAJobArrives() {
    var v = volunteer("v1", 1);
    dispatcher.request("v1", 2);
    assertThat(v.tasks()).isEmpty();
    dispatcher.submit(job("j-1", 5, 0), new BitSet());
    assertThat(v.tasks()).hasSize(2);
  }

  @Test
  void resultsCompleteTheJobInOrderOfEvents() {
    var v = volunteer("v1", 2);
    dispatcher.submit(job("j-1", 2, 0), new BitSet());
    dispatcher.request("v1", 2);
    var tasks = v.tasks();
    dispatcher.results("v1", List.of(ok(tasks.get(1), "b"), ok(tasks.get(0), "a")));
    assertThat(events.log)
        .containsExactly("started j-1", "done j-1/1 b", "done j-1/0 a", "completed j-1");
    assertThat(dispatcher.progress("j-1").orElseThrow().phase())
        .isEqualTo(JobProgress.Phase.MERGING);
  }

  @Test
  void aDuplicateOrForgedResultIsIgnored() {
    var v = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 2, 0), new BitSet());
    dispatcher.request("v1", 1);
    Assignment t = v.tasks().get(0);
    dispatcher.results("v1", List.of(ok(t, "x")));
    dispatcher.results("v1", List.of(ok(t, "again")));
    var forged =
        new TaskOutcome("j-1", 1, 999, TaskOutcome.Status.OK, 0, new byte[0], new byte[0], 1);
    dispatcher.results("v1", List.of(forged));
    assertThat(events.log).containsExactly("started j-1", "done j-1/0 x");
    assertThat(dispatcher.stats().ignoredResultsTotal()).isEqualTo(2);
  }

  @Test
  void aDisconnectReturnsItsTasksToTheFrontOfTheQueueForOthers() {
    var v1 = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 4, 0), new BitSet());
    dispatcher.request("v1", 2);
    assertThat(v1.tasks()).extracting(Assignment::index).containsExactly(0, 1);
    dispatcher.disconnect("v1");
    var v2 = volunteer("v2", 1);
    dispatcher.request("v2", 2);
    assertThat(v2.tasks()).extracting(Assignment::index).containsExactly(1, 0);
    assertThat(dispatcher.stats().requeuedTotal()).isEqualTo(2);
  }

  @Test
  void anExpiredLeaseIsRequeuedCancelledAndItsLateResultIgnored() {
    var v1 = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 1, 0), new BitSet());
    dispatcher.request("v1", 1);
    Assignment t = v1.tasks().get(0);
    // The volunteer keeps talking (so it is not silent) but never heartbeats, so the lease lapses.
    for (int i = 0; i < 7; i++) {
      now.addAndGet(5_000);
      dispatcher.results("v1", List.of());
      dispatcher.tick();
    }
    assertThat(v1.closedWith).isNull();
    assertThat(v1.cancels()).contains("j-1/0");
    var v2 = volunteer("v2", 1);
    dispatcher.request("v2", 1);
    Assignment again = v2.tasks().get(0);
    dispatcher.results("v1", List.of(ok(t, "late")));
    assertThat(events.log).doesNotContain("done j-1/0 late");
    dispatcher.results("v2", List.of(ok(again, "fresh")));
    assertThat(events.log).contains("done j-1/0 fresh", "completed j-1");
  }

  @Test
  void heartbeatsKeepLeasesAlive() {
    var v = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 1, 0), new BitSet());
    dispatcher.request("v1", 1);
    for (int i = 0; i < 10; i++) {
      now.addAndGet(5_000);
      dispatcher.heartbeat("v1");
      dispatcher.tick();
    }
    assertThat(v.cancels()).isEmpty();
    assertThat(dispatcher.progress("j-1").orElseThrow().leased()).isEqualTo(1);
  }

  @Test
  void aSilentVolunteerIsClosedAndItsTasksRequeued() {
    var v = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 1, 0), new BitSet());
    dispatcher.request("v1", 1);
    now.addAndGet(16_000);
    dispatcher.tick();
    assertThat(v.closedWith).isEqualTo(4408);
    assertThat(dispatcher.stats().volunteers()).isZero();
    assertThat(dispatcher.progress("j-1").orElseThrow().queued()).isEqualTo(1);
  }

  @Test
  void aVolunteerHoldingNoTaskMayBeatAtTheIdleIntervalAndIsClosedAfterThreeOfThem() {
    var ch = new FakeChannel();
    var welcome = dispatcher.connect("v1", ch, new VolunteerProfile(1, "test"), 1 << 20);
    assertThat(welcome.idleHeartbeatMs()).isEqualTo(12 * 5_000);
    now.addAndGet(50_000); // ten busy intervals without a word: fine while it holds nothing
    dispatcher.tick();
    dispatcher.heartbeat("v1");
    now.addAndGet(179_000);
    dispatcher.tick();
    assertThat(ch.closedWith).isNull();
    now.addAndGet(2_000); // 181 s since its last heartbeat: three idle intervals
    dispatcher.tick();
    assertThat(ch.closedWith).isEqualTo(4408);
    assertThat(dispatcher.stats().volunteers()).isZero();
  }

  @Test
  void anIdleVolunteerThatTakesATaskMustBeatAtTheBusyIntervalFromThen() {
    var v = volunteer("v1", 1);
    now.addAndGet(50_000); // idle and silent for 50 s
    dispatcher.tick();
    dispatcher.submit(job("j-1", 1, 0), new BitSet());
    dispatcher.request("v1", 1);
    assertThat(v.tasks()).hasSize(1);
    now.addAndGet(14_000); // counted from the grant, not from its last message
    dispatcher.tick();
    assertThat(v.closedWith).isNull();
    now.addAndGet(2_000);
    dispatcher.tick();
    assertThat(v.closedWith).isEqualTo(4408);
    assertThat(dispatcher.progress("j-1").orElseThrow().queued()).isEqualTo(1);
  }

  @Test
  void aLoneVolunteersKernelFailureFailsTheJobWithItsStderrTailAndCancelsTheRest() {
    var v = volunteer("v1", 2);
    dispatcher.submit(job("j-1", 4, 0), new BitSet());
    dispatcher.request("v1", 4);
    var tasks = v.tasks();
    byte[] stderr = ("x".repeat(5000) + "boom").getBytes(StandardCharsets.UTF_8);
    var failed =
        new TaskOutcome(
            "j-1", 2, tasks.get(2).lease(), TaskOutcome.Status.EXIT, 3, new byte[0], stderr, 1);
    dispatcher.results("v1", List.of(failed));
    assertThat(events.failures).hasSize(1);
    JobFailure f = events.failures.get(0);
    assertThat(f.message())
        .isEqualTo("task 2 failed on 1 volunteer (SURGE_MAX_FAILURES=3): v1 exited with code 3");
    assertThat(f.task()).hasValue(2);
    assertThat(f.exitCode()).hasValue(3);
    assertThat(f.stderrTail().orElseThrow()).endsWith("boom").hasSize(4096);
    assertThat(v.cancels()).containsExactlyInAnyOrder("j-1/0", "j-1/1", "j-1/3");
    assertThat(dispatcher.progress("j-1").orElseThrow().phase())
        .isEqualTo(JobProgress.Phase.FAILED);
    assertThat(dispatcher.progress("j-1").orElseThrow().failure()).contains(f);
    // Its other results are late now.
    dispatcher.results("v1", List.of(ok(tasks.get(0), "a")));
    assertThat(events.log).noneMatch(l -> l.startsWith("done"));
  }

  @Test
  void aLoneVolunteersTrapFailsTheJobToo() {
    var v = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 1, 0), new BitSet());
    dispatcher.request("v1", 1);
    Assignment t = v.tasks().get(0);
    dispatcher.results(
        "v1",
        List.of(
            new TaskOutcome(
                "j-1", 0, t.lease(), TaskOutcome.Status.TRAP, -1, new byte[0], new byte[0], 1)));
    assertThat(events.failures.get(0).message()).endsWith(": v1 trapped");
  }

  @Test
  void aLoneVolunteerThatCannotLoadTheKernelFailsTheJobOnItsSecondRelease() {
    var v = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 1, 0), new BitSet());
    for (int attempt = 1; attempt <= 2; attempt++) {
      dispatcher.request("v1", 1);
      Assignment t = v.tasks().get(v.tasks().size() - 1);
      assertThat(t.index()).as("requeued at once").isZero();
      assertThat(events.failures).isEmpty();
      dispatcher.release(
          "v1",
          List.of(new LeasedTask(t.job(), t.index(), t.lease())),
          ReleaseCause.KERNEL_UNAVAILABLE);
    }
    assertThat(events.failures).hasSize(1);
    assertThat(events.failures.get(0).message())
        .contains("task 0 was lost 2 times by every volunteer connected")
        .contains("kernel-unavailable");
  }

  @Test
  void lossesCountOncePerIdentityAndMaxAttemptsDistinctOnesFailTheJob() {
    // SURGE_MAX_ATTEMPTS is 3 here; an idle volunteer stays connected throughout, so only the
    // distinct-identity rule can end the task.
    volunteer("idle", 1);
    dispatcher.submit(job("j-1", 1, 0), new BitSet());
    for (String who : List.of("a", "a", "b", "b", "a")) {
      String session = who + "-" + now.incrementAndGet();
      var ch = new FakeChannel();
      dispatcher.connect(
          session, ch, new VolunteerProfile(1, "test"), 1 << 20, new Standing(who, false));
      dispatcher.request(session, 1);
      assertThat(ch.tasks()).as(who + " gets the task again").hasSize(1);
      dispatcher.disconnect(session);
    }
    assertThat(events.failures).as("two identities, five losses").isEmpty();

    var c = new FakeChannel();
    dispatcher.connect(
        "c-1", c, new VolunteerProfile(1, "test"), 1 << 20, new Standing("c", false));
    dispatcher.request("c-1", 1);
    Assignment t = c.tasks().get(0);
    dispatcher.release(
        "c-1", List.of(new LeasedTask(t.job(), t.index(), t.lease())), ReleaseCause.WORKER_CRASHED);
    assertThat(events.failures).hasSize(1);
    assertThat(events.failures.get(0).message())
        .contains("task 0 was lost 6 times by 3 distinct volunteers (SURGE_MAX_ATTEMPTS=3)")
        .contains("worker-crashed");
  }

  @Test
  void oneVolunteerCrashingATaskAgainAndAgainCannotFailAJobAnotherCouldRun() {
    var crasher = volunteer("crasher", 1);
    var other = volunteer("other", 1);
    dispatcher.submit(job("j-1", 1, 0), new BitSet());
    dispatcher.request("crasher", 1);
    for (int round = 0; round < 10; round++) {
      Assignment t = crasher.tasks().get(crasher.tasks().size() - 1);
      dispatcher.release(
          "crasher",
          List.of(new LeasedTask(t.job(), t.index(), t.lease())),
          ReleaseCause.WORKER_CRASHED);
      if (round < 9) dispatcher.request("crasher", 1);
    }
    assertThat(events.failures).as("'other' has not released it").isEmpty();
    dispatcher.request("other", 1);
    Assignment last = other.tasks().get(other.tasks().size() - 1);
    dispatcher.results("other", List.of(ok(last, "done")));
    assertThat(events.log).contains("completed j-1");
  }

  @Test
  void aVolunteerLeavingByChoiceNeverFailsATaskHoweverOftenItHappens() {
    // Web visitors leave all the time; and a volunteer taking and releasing one task in a loop
    // must not be able to fail someone's job (SURGE_MAX_ATTEMPTS is 3 here).
    var v = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 1, 0), new BitSet());
    for (int round = 0; round < 10; round++) {
      dispatcher.request("v1", 1);
      Assignment t = v.tasks().get(v.tasks().size() - 1);
      ReleaseCause why = round % 2 == 0 ? ReleaseCause.PAUSED : ReleaseCause.CLOSING;
      dispatcher.release("v1", List.of(new LeasedTask(t.job(), t.index(), t.lease())), why);
    }
    assertThat(events.failures).isEmpty();
    dispatcher.request("v1", 1);
    Assignment last = v.tasks().get(v.tasks().size() - 1);
    assertThat(v.tasks()).hasSize(11);
    dispatcher.results("v1", List.of(ok(last, "done")));
    assertThat(events.failures).isEmpty();
    assertThat(events.log).contains("done j-1/0 done", "completed j-1");
  }

  @Test
  void higherPriorityJobsGoFirstThenOlderOnes() {
    var v = volunteer("v1", 4);
    dispatcher.submit(job("j-1", 2, 0), new BitSet());
    dispatcher.submit(job("j-2", 2, 5), new BitSet());
    dispatcher.submit(job("j-3", 2, 0), new BitSet());
    dispatcher.request("v1", 6);
    assertThat(v.tasks())
        .extracting(t -> t.job() + "/" + t.index())
        .containsExactly("j-2/0", "j-2/1", "j-1/0", "j-1/1", "j-3/0", "j-3/1");
  }

  @Test
  void volunteersShareWorkRoundRobinAndHoldNoMoreThanThePolicyAllows() {
    var a = volunteer("a", 1);
    var b = volunteer("b", 1);
    dispatcher.request("a", 100);
    dispatcher.request("b", 100);
    dispatcher.submit(job("j-1", 100, 0), new BitSet());
    // async policy with 2 per worker: batch 2 + prefetch 1 = 3 each
    assertThat(a.tasks()).hasSize(3);
    assertThat(b.tasks()).hasSize(3);
  }

  @Test
  void cancellingAJobCancelsItsLeasesAndFreesTheVolunteer() {
    var v = volunteer("v1", 1);
    dispatcher.submit(job("j-1", 10, 0), new BitSet());
    dispatcher.submit(job("j-2", 1, 0), new BitSet());
    dispatcher.request("v1", 3);
    assertThat(dispatcher.cancel("j-1", "user")).isTrue();
    assertThat(v.cancels()).contains("j-1/0", "j-1/1", "j-1/2");
    assertThat(events.log).contains("cancelled j-1");
    // The volunteer's runtime drops the cancelled tasks and asks again.
    dispatcher.request("v1", 1);
    assertThat(v.tasks()).extracting(Assignment::job).contains("j-2");
    assertThat(dispatcher.cancel("j-1", "again")).isFalse();
  }

  @Test
  void aJobPastItsDeadlineFails() {
    var deadline = Instant.ofEpochMilli(now.get() + 1_000);
    var j =
        new DispatchJob(
            "j-1",
            1,
            0,
            Optional.of(deadline),
            1,
            Instant.EPOCH,
            Optional.empty(),
            Optional.empty(),
            job("j-1", 1, 0).payloads());
    dispatcher.submit(j, new BitSet());
    dispatcher.tick();
    assertThat(events.failures).isEmpty();
    now.addAndGet(2_000);
    dispatcher.tick();
    assertThat(events.failures.get(0).message())
        .isEqualTo(
            "deadline passed at "
                + deadline
                + " with 0 of 1 tasks done: the volunteers could not finish in time");
  }

  @Test
  void aMissedDeadlineIsToldWithTheSlurmJobAndItsNoteJoinsTheMessage() {
    var told = new ArrayList<DispatchJob>();
    var withNotes =
        new Dispatcher(
            new AsyncPrefetchDispatch(2, Duration.ofSeconds(30)),
            events,
            now::get,
            5_000,
            3,
            n -> {},
            job -> {
              told.add(job);
              return job.slurmJobId().map(id -> "Slurm job " + id + " is handed back");
            },
            DispatchLimits.defaults());
    var deadline = Instant.ofEpochMilli(now.get() + 1_000);
    withNotes.submit(
        new DispatchJob(
            "j-7",
            2,
            0,
            Optional.of(deadline),
            7,
            Instant.EPOCH,
            Optional.empty(),
            Optional.of("4711"),
            job("j-7", 2, 0).payloads()),
        new BitSet());
    now.addAndGet(2_000);
    withNotes.tick();
    assertThat(told).extracting(DispatchJob::id).containsExactly("j-7");
    assertThat(events.failures.get(0).message())
        .startsWith("deadline passed at " + deadline)
        .endsWith("could not finish in time; Slurm job 4711 is handed back");
  }

  @Test
  void aRecoveredJobQueuesOnlyTasksWithoutAStoredOutput() {
    var v = volunteer("v1", 4);
    var done = new BitSet();
    done.set(0);
    done.set(2);
    dispatcher.submit(job("j-1", 4, 0), done);
    dispatcher.request("v1", 10);
    assertThat(v.tasks()).extracting(Assignment::index).containsExactly(1, 3);
    var all = new BitSet();
    all.set(0, 2);
    dispatcher.submit(job("j-2", 2, 0), all);
    assertThat(events.log).contains("completed j-2");
  }

  /** Records what the dispatcher sends. */
  static final class FakeChannel implements VolunteerChannel {
    final List<VolunteerEvent> sent = new ArrayList<>();
    Integer closedWith;

    @Override
    public synchronized void send(VolunteerEvent message) {
      sent.add(message);
    }

    @Override
    public void close(int code, String reason) {
      closedWith = code;
    }

    synchronized List<Assignment> tasks() {
      List<Assignment> out = new ArrayList<>();
      sent.stream()
          .filter(m -> m instanceof VolunteerEvent.Assigned)
          .forEach(m -> out.addAll(((VolunteerEvent.Assigned) m).tasks()));
      return out;
    }

    synchronized List<String> cancels() {
      List<String> out = new ArrayList<>();
      sent.stream()
          .filter(m -> m instanceof VolunteerEvent.Cancelled)
          .forEach(
              m ->
                  ((VolunteerEvent.Cancelled) m)
                      .tasks()
                      .forEach(t -> out.add(t.job() + "/" + t.index())));
      return out;
    }
  }

  /** Records the durable events in order. */
  static final class RecordingEvents implements JobEvents {
    final List<String> log = new ArrayList<>();
    final List<JobFailure> failures = new ArrayList<>();
    final List<VerificationReport> reports = new ArrayList<>();

    @Override
    public void verification(String job, VerificationReport report) {
      reports.add(report);
    }

    @Override
    public void jobStarted(String job, Instant at) {
      log.add("started " + job);
    }

    @Override
    public void taskDone(String job, int index, byte[] stdout, double millis) {
      log.add("done " + job + "/" + index + " " + new String(stdout, StandardCharsets.UTF_8));
    }

    @Override
    public void taskUndone(String job, int index) {
      log.add("undone " + job + "/" + index);
    }

    @Override
    public void jobCompleted(String job) {
      log.add("completed " + job);
    }

    @Override
    public void jobFailed(String job, JobFailure failure) {
      log.add("failed " + job);
      failures.add(failure);
    }

    @Override
    public void jobCancelled(String job, String reason) {
      log.add("cancelled " + job);
    }
  }
}
