package surge.rescue.boundary;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import surge.rescue.control.HandBack;
import surge.rescue.control.RescueTimer;
import surge.rescue.control.Rescuer;

/**
 * Drives the {@link Rescuer} and the {@link HandBack} with Quartz: a poll every interval, a
 * one-shot trigger at each opted-in job's due time, and a one-shot hand-back. Quartz threads get no
 * CDI injection, so the jobs find the rescuer in the scheduler's context.
 *
 * <p>On H2 (one instance) the timers are in memory (RAMJobStore) and rebuilt at the first poll
 * after a restart. On PostgreSQL they are in Quartz's tables (a clustered JDBC job store, tables by
 * the Flyway migration V2): every instance runs a scheduler on them, each trigger fires on one
 * instance, the poll (never concurrent) runs once per cluster, and the triggers of an instance that
 * stops checking in are taken over by the others.
 */
public final class RescueSchedule implements RescueTimer, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RescueSchedule.class.getName());
  private static final String POLL_WORK = "poll";
  private static final String DUE = "due";
  private static final String HAND_BACK = "hand-back";

  /** The scheduler's name, the same on every instance: Quartz's tables are keyed by it. */
  static final String NAME = "surge-rescue";

  /** How often a clustered instance checks in; one silent for about twice this is taken over. */
  static final Duration CHECK_IN = Duration.ofSeconds(5);

  private static final TriggerKey POLL = TriggerKey.triggerKey("poll");

  private final Scheduler scheduler;

  private RescueSchedule(Properties p) {
    p.setProperty("org.quartz.scheduler.instanceName", NAME);
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    // One poll, due checks, and hand-backs that wait for their launcher (up to a minute).
    p.setProperty("org.quartz.threadPool.threadCount", "4");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    try {
      var factory = new StdSchedulerFactory(p);
      scheduler = factory.getScheduler();
      // The factory's by-name registry would hand a second scheduler of this JVM (tests start
      // several servers) this one; nothing here looks schedulers up by name.
      SchedulerRepository.getInstance().remove(NAME);
    } catch (SchedulerException e) {
      throw new IllegalStateException("the rescuer's Quartz scheduler did not start: " + e, e);
    }
  }

  /** Timers in memory: one instance (H2). */
  public static RescueSchedule inMemory() {
    var p = new Properties();
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    return new RescueSchedule(p);
  }

  /**
   * Timers in Quartz's tables on this PostgreSQL, shared by every instance on it. {@code
   * instanceId} is {@code AUTO} (host name and start time) in the server; tests name theirs.
   */
  public static RescueSchedule clustered(
      String url, String user, String password, String instanceId) {
    var p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceId", instanceId);
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    // A timer stored by another instance is seen by this one at its next trigger scan; idle, the
    // scheduler scans every 30 s by default, so a rescue due while the instance that set it was
    // dead fired up to 17.5 s late (bench/cluster-faults.sh rescue-while-dead). Every 2 s: one
    // indexed query on qrtz_triggers.
    p.setProperty("org.quartz.scheduler.idleWaitTime", "2000");
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(CHECK_IN.toMillis()));
    // Job data as strings (the Slurm job id), not serialized Java objects.
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    // A timer missed while every instance was down fires this long after one is back, at most.
    p.setProperty("org.quartz.jobStore.misfireThreshold", "10000");
    // A small pool of its own, so check-ins never wait behind the journal's writes. Its name is
    // per scheduler: Quartz keeps pools by name per JVM.
    String pool = "rescue-" + UUID.randomUUID();
    p.setProperty("org.quartz.jobStore.dataSource", pool);
    p.setProperty("org.quartz.dataSource." + pool + ".provider", "hikaricp");
    p.setProperty("org.quartz.dataSource." + pool + ".driver", "org.postgresql.Driver");
    p.setProperty("org.quartz.dataSource." + pool + ".URL", url);
    p.setProperty("org.quartz.dataSource." + pool + ".user", user);
    p.setProperty("org.quartz.dataSource." + pool + ".password", password);
    p.setProperty("org.quartz.dataSource." + pool + ".maxConnections", "3");
    return new RescueSchedule(p);
  }

  /** Starts polling every {@code interval}; the first poll runs at once. */
  public void start(Rescuer rescuer, HandBack handBack, Duration interval) {
    start(rescuer::poll, rescuer::due, handBack::handBack, interval);
  }

  /**
   * Starts {@code poll} every {@code interval} (on one instance of a cluster at a time), {@code
   * due} at the times given to {@link #at}, {@code handBack} after {@link #handBack}.
   */
  void start(Runnable poll, Consumer<String> due, Consumer<String> handBack, Duration interval) {
    try {
      scheduler.getContext().put(POLL_WORK, poll);
      scheduler.getContext().put(DUE, due);
      scheduler.getContext().put(HAND_BACK, handBack);
      // In a shared store another instance may have set the poll up already: keep it unless its
      // interval changed, so a restart does not add a poll.
      if (!(scheduler.getTrigger(POLL) instanceof SimpleTrigger t
          && t.getRepeatInterval() == interval.toMillis())) {
        scheduler.scheduleJob(
            JobBuilder.newJob(PollJob.class).withIdentity("poll").build(),
            Set.of(
                TriggerBuilder.newTrigger()
                    .withIdentity(POLL)
                    .startNow()
                    .withSchedule(
                        SimpleScheduleBuilder.simpleSchedule()
                            .withIntervalInMilliseconds(interval.toMillis())
                            .repeatForever()
                            .withMisfireHandlingInstructionNextWithRemainingCount())
                    .build()),
            true);
      }
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("the rescuer's Quartz scheduler did not start: " + e, e);
    }
  }

  @Override
  public void at(Instant when, String slurmJobId) {
    once(DueJob.class, "due-" + slurmJobId, slurmJobId, when);
  }

  @Override
  public void handBack(String slurmJobId) {
    once(HandBackJob.class, "hand-back-" + slurmJobId, slurmJobId, Instant.EPOCH);
  }

  private void once(Class<? extends Job> type, String key, String slurmJobId, Instant when) {
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(key)
            // Not in the past: a JDBC store leaves a trigger later than the misfire threshold to
            // its misfire scan (up to a threshold later), where a RAM store fires it at once.
            .startAt(Date.from(max(when, Instant.now())))
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
            .build();
    try {
      scheduler.scheduleJob(
          JobBuilder.newJob(type).withIdentity(key).usingJobData("job", slurmJobId).build(),
          Set.of(trigger),
          true);
    } catch (SchedulerException e) {
      LOG.log(Level.SEVERE, "rescue: could not schedule " + key, e);
    }
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  @Override
  public void close() {
    try {
      scheduler.shutdown(false);
    } catch (SchedulerException e) {
      LOG.log(Level.WARNING, "rescue: Quartz did not shut down cleanly", e);
    }
  }

  private static <T> T part(JobExecutionContext context, String name, Class<T> type)
      throws JobExecutionException {
    try {
      return type.cast(context.getScheduler().getContext().get(name));
    } catch (SchedulerException e) {
      throw new JobExecutionException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Consumer<String> consumer(JobExecutionContext context, String name)
      throws JobExecutionException {
    return part(context, name, Consumer.class);
  }

  /** Lists the watched partitions' pending jobs. */
  @DisallowConcurrentExecution
  public static final class PollJob implements Job {
    private static volatile String lastFailure;

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      try {
        part(context, POLL_WORK, Runnable.class).run();
        if (lastFailure != null) {
          LOG.info("rescue: polling Slurm works again");
          lastFailure = null;
        }
      } catch (RuntimeException e) {
        // Logged when it changes, not every cycle while slurmctld is down.
        if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
          lastFailure = String.valueOf(e.getMessage());
          LOG.log(Level.WARNING, "rescue: polling Slurm failed: " + e.getMessage(), e);
        }
      }
    }
  }

  /** A job's due time came: ask the policy, move it. */
  public static final class DueJob implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      String id = context.getMergedJobDataMap().getString("job");
      try {
        consumer(context, DUE).accept(id);
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "rescue: deciding on job " + id + " failed", e);
      }
    }
  }

  /** A rescued job missed its deadline: hand it back. */
  public static final class HandBackJob implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      String id = context.getMergedJobDataMap().getString("job");
      try {
        consumer(context, HAND_BACK).accept(id);
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "rescue: handing job " + id + " back failed", e);
      }
    }
  }
}
