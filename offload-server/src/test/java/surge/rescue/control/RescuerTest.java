package surge.rescue.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import surge.dispatch.DispatchJob;
import surge.persistence.Database;
import surge.policies.RescuePolicy;
import surge.policies.RescueRules;
import surge.rescue.entity.Rescue;
import surge.slurmcommon.command.CommandRunner;
import surge.slurmcommon.command.Output;

/**
 * The rescue's logic ({@link Rescuer}, {@link HandBack}) against a fake Slurm (its commands'
 * answers), a recording timer and H2.
 */
class RescuerTest {
  static final Instant ELIGIBLE = Instant.parse("2026-11-23T17:00:00Z");
  static final String OPTED_IN =
      "#!/bin/bash\n#SBATCH -p batch\n#OFFLOAD --kernel=mc.wasm --tasks=8 --rescue-after=30s\n"
          + "[ \"$SLURM_JOB_PARTITION\" = volunteer ] && exec surge offload \"$0\"\n./native\n";
  static final String NOT_OPTED_IN = "#!/bin/bash\n#OFFLOAD --kernel=mc.wasm --tasks=8\n./native\n";

  /** Slurm as its commands answer: squeue's lines, scripts, job fields; records what changes. */
  final class FakeSlurm implements CommandRunner {
    String squeue = "";
    final Map<String, String> scripts = new HashMap<>();
    final Map<String, Integer> scriptReads = new HashMap<>();
    final Deque<String> shows = new ArrayDeque<>();
    final List<String> changes = new ArrayList<>();
    int updateExit = 0;

    @Override
    public Output run(List<String> cmd, Optional<String> stdin) {
      if (cmd.get(0).equals("squeue")) {
        return Output.of(cmd, 0, squeue);
      }
      switch (cmd.get(1)) {
        case "write":
          scriptReads.merge(cmd.get(3), 1, Integer::sum);
          return Output.of(cmd, 0, scripts.getOrDefault(cmd.get(3), ""));
        case "show":
          return Output.of(cmd, 0, shows.size() > 1 ? shows.poll() : shows.peek());
        default:
          changes.add(String.join(" ", cmd.subList(1, cmd.size())));
          return Output.of(cmd, updateExit, updateExit == 0 ? "" : "Job is no longer pending");
      }
    }

    void pending(String... lines) {
      squeue = lines.length == 0 ? "" : String.join("\n", lines) + "\n";
    }
  }

  static String line(String id, String user, String reason, String eligible) {
    return id + "|N/A|" + user + "|batch|" + eligible + "|" + reason + "|2|30:00|/nonexistent|";
  }

  static final class MutableClock extends Clock {
    Instant now = ELIGIBLE;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final class Timers implements RescueTimer {
    final Map<String, Instant> at = new HashMap<>();
    final List<String> handBacks = new ArrayList<>();

    @Override
    public void at(Instant when, String slurmJobId) {
      at.put(slurmJobId, when);
    }

    @Override
    public void handBack(String slurmJobId) {
      handBacks.add(slurmJobId);
    }
  }

  final FakeSlurm slurm = new FakeSlurm();
  final MutableClock clock = new MutableClock();
  final Timers timers = new Timers();
  final Database db =
      Database.open(
          "jdbc:h2:mem:rescue-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "sa",
          "",
          List.of(Rescue.class));

  Rescues rescues = new Rescues(db);

  Rescuer rescuer(RescuePolicy policy) {
    return new Rescuer(
        new Slurm(slurm, ZoneOffset.UTC),
        policy,
        rescues,
        List.of("batch"),
        "volunteer",
        clock,
        timers);
  }

  HandBack handBack() {
    return new HandBack(
        new Slurm(slurm, ZoneOffset.UTC), rescues, Duration.ofSeconds(2), clock, timers);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void movesAnOptedInJobAtEligiblePlusRescueAfterAndRemembersIt() {
    var rescuer = rescuer(RescueRules.allowAll());
    slurm.scripts.put("6", OPTED_IN);
    slurm.pending(line("6", "alice", "Resources", "2026-11-23T17:00:00"));
    rescuer.poll();
    rescuer.poll();
    assertThat(timers.at).containsEntry("6", ELIGIBLE.plusSeconds(30));
    assertThat(slurm.scriptReads).containsEntry("6", 1);
    assertThat(slurm.changes).isEmpty();

    clock.now = ELIGIBLE.plusSeconds(30);
    rescuer.due("6");
    assertThat(slurm.changes).containsExactly("update JobId=6 Partition=volunteer Requeue=1");
    assertThat(rescuer.movedCount()).isEqualTo(1);
    Rescue stored = db.transaction(s -> s.find(Rescue.class, "6"));
    assertThat(stored.originalPartition()).isEqualTo("batch");
    assertThat(stored.dueAt()).isEqualTo(ELIGIBLE.plusSeconds(30));
    assertThat(stored.reason()).contains("--rescue-after");

    rescuer.due("6");
    assertThat(slurm.changes).as("decided once").hasSize(1);
  }

  @Test
  void aTimerThatFiresOnAnInstanceThatNeverPolledTheJobFindsItInSlurmAndMovesIt() {
    // Set by another instance, or before a restart (Quartz's clustered store keeps it).
    var rescuer = rescuer(RescueRules.allowAll());
    slurm.scripts.put("16", OPTED_IN);
    slurm.pending(line("16", "alice", "Resources", "2026-11-23T17:00:00"));
    clock.now = ELIGIBLE.plusSeconds(30);
    rescuer.due("16");
    assertThat(slurm.changes).containsExactly("update JobId=16 Partition=volunteer Requeue=1");
    rescuer.poll();
    assertThat(timers.at).as("the poll after it sets no second timer").isEmpty();
    rescuer.due("17"); // no longer pending: nothing to do
    assertThat(slurm.changes).hasSize(1);
  }

  @Test
  void neverMovesAJobThatDidNotOptInAndReadsItsScriptOnce() {
    var rescuer = rescuer(RescueRules.allowAll());
    slurm.scripts.put("7", NOT_OPTED_IN);
    slurm.pending(line("7", "alice", "Resources", "2026-11-23T17:00:00"));
    rescuer.poll();
    rescuer.poll();
    clock.now = ELIGIBLE.plus(Duration.ofDays(1));
    rescuer.due("7");
    assertThat(timers.at).isEmpty();
    assertThat(slurm.changes).isEmpty();
    assertThat(slurm.scriptReads).containsEntry("7", 1);
  }

  @Test
  void leavesAJobThePolicyRefusesAndCountsIt() {
    var rescuer = rescuer(new RescueRules(Set.of("bob"), Set.of(), 0, 0, Set.of()));
    slurm.scripts.put("8", OPTED_IN);
    slurm.pending(line("8", "alice", "Priority", "2026-11-23T17:00:00"));
    rescuer.poll();
    clock.now = ELIGIBLE.plusSeconds(31);
    rescuer.due("8");
    assertThat(slurm.changes).isEmpty();
    assertThat(rescuer.refusedCount()).isEqualTo(1);
  }

  @Test
  void aJobThatMayAlreadyRunOnTheVolunteerPartitionIsLeftAlone() {
    var rescuer = rescuer(RescueRules.allowAll());
    slurm.scripts.put("15", OPTED_IN);
    slurm.pending(
        line("15", "alice", "Resources", "2026-11-23T17:00:00")
            .replace("|batch|", "|batch,volunteer|"));
    rescuer.poll();
    clock.now = ELIGIBLE.plusSeconds(60);
    rescuer.due("15");
    assertThat(timers.at).isEmpty();
    assertThat(slurm.changes).isEmpty();
  }

  @Test
  void aHeldJobGetsItsTimerOnlyOnceEligible() {
    var rescuer = rescuer(RescueRules.allowAll());
    slurm.scripts.put("9", OPTED_IN);
    slurm.pending(line("9", "alice", "JobHeldUser", "N/A"));
    rescuer.poll();
    assertThat(timers.at).isEmpty();
    slurm.pending(line("9", "alice", "Resources", "2026-11-23T17:05:00"));
    rescuer.poll();
    assertThat(timers.at).containsEntry("9", ELIGIBLE.plusSeconds(330));
  }

  @Test
  void aTimerThatFiresEarlyIsSetAgain() {
    var rescuer = rescuer(RescueRules.allowAll());
    slurm.scripts.put("10", OPTED_IN);
    slurm.pending(line("10", "alice", "Resources", "2026-11-23T17:00:00"));
    rescuer.poll();
    timers.at.clear();
    clock.now = ELIGIBLE.plusSeconds(29);
    rescuer.due("10");
    assertThat(slurm.changes).isEmpty();
    assertThat(timers.at).containsEntry("10", ELIGIBLE.plusSeconds(30));
  }

  @Test
  void forgetsJobsThatLeftTheListAndNeverRescuesAJobTwiceEvenAfterARestart() {
    var rescuer = rescuer(RescueRules.allowAll());
    slurm.scripts.put("11", OPTED_IN);
    slurm.pending(line("11", "alice", "Resources", "2026-11-23T17:00:00"));
    rescuer.poll();
    clock.now = ELIGIBLE.plusSeconds(30);
    rescuer.due("11");
    slurm.pending();
    rescuer.poll();
    // Handed back and pending in batch again, seen by a restarted server.
    slurm.changes.clear();
    timers.at.clear();
    rescues = new Rescues(db);
    var restarted = rescuer(RescueRules.allowAll());
    slurm.pending(line("11", "alice", "Resources", "2026-11-23T17:10:00"));
    restarted.poll();
    restarted.due("11");
    assertThat(timers.at).isEmpty();
    assertThat(slurm.changes).isEmpty();
  }

  @Test
  void aMoveSlurmRefusesIsLoggedAndNotRetried() {
    var rescuer = rescuer(RescueRules.allowAll());
    slurm.scripts.put("12", OPTED_IN);
    slurm.pending(line("12", "alice", "Resources", "2026-11-23T17:00:00"));
    slurm.updateExit = 1;
    rescuer.poll();
    clock.now = ELIGIBLE.plusSeconds(30);
    rescuer.due("12");
    rescuer.due("12");
    assertThat(slurm.changes).hasSize(1);
    assertThat(rescuer.movedCount()).isZero();
    assertThat(rescues.find("12")).isEmpty();
  }

  @Test
  void aRescuedJobThatMissesItsDeadlineIsRequeuedToItsOriginalPartition() {
    var rescuer = rescuer(RescueRules.allowAll());
    slurm.scripts.put("13", OPTED_IN);
    slurm.pending(line("13", "alice", "Resources", "2026-11-23T17:00:00"));
    rescuer.poll();
    clock.now = ELIGIBLE.plusSeconds(30);
    rescuer.due("13");
    slurm.changes.clear();

    var handBack = handBack();
    Optional<String> note = handBack.deadlineMissed(surgeJob("13"));
    assertThat(note).get().asString().contains("hands it back to partition batch");
    assertThat(timers.handBacks).containsExactly("13");
    assertThat(handBack.deadlineMissed(surgeJob("14"))).isEmpty();
    assertThat(handBack.deadlineMissed(surgeJob("13"))).as("once").isEmpty();

    // The launcher is still ending, then the job is FAILED; after the requeue it pends.
    slurm.shows.add("JobId=13 JobState=RUNNING Reason=None Partition=volunteer");
    slurm.shows.add("JobId=13 JobState=FAILED Reason=NonZeroExitCode Partition=volunteer");
    slurm.shows.add("JobId=13 JobState=PENDING Reason=NonZeroExitCode Partition=volunteer");
    handBack.handBack("13");
    assertThat(slurm.changes)
        .containsExactly(
            "requeue 13",
            "update JobId=13 Partition=batch StartTime=now Comment=surge: handed back to batch,"
                + " the volunteers missed the deadline");
    assertThat(handBack.handedBackCount()).isEqualTo(1);
    assertThat(db.transaction(s -> s.find(Rescue.class, "13")).handedBackAt()).isPresent();
    assertThat(handBack.deadlineMissed(surgeJob("13"))).as("handed back already").isEmpty();
  }

  static DispatchJob surgeJob(String slurmJobId) {
    return new DispatchJob(
        "j-1",
        1,
        0,
        Optional.of(ELIGIBLE),
        1,
        ELIGIBLE,
        Optional.empty(),
        Optional.of(slurmJobId),
        i -> null);
  }
}
