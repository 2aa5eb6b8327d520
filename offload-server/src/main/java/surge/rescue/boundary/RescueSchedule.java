package surge.rescue.boundary;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
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
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import surge.rescue.control.HandBack;
import surge.rescue.control.RescueTimer;
import surge.rescue.control.Rescuer;

/**
 * Drives the {@link Rescuer} and the {@link HandBack} with Quartz (in memory, RAMJobStore): a poll
 * every interval, a one-shot trigger at each opted-in job's due time, and a one-shot hand-back.
 * Quartz threads get no CDI injection, so the jobs find the rescuer in the scheduler's context.
 */
public final class RescueSchedule implements RescueTimer, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RescueSchedule.class.getName());
  private static final String RESCUER = "rescuer";
  private static final String HAND_BACK = "hand-back";

  private final Scheduler scheduler;

  public RescueSchedule() {
    var p = new Properties();
    // A name of its own: the factory keeps schedulers by name per JVM (tests start several).
    p.setProperty("org.quartz.scheduler.instanceName", "surge-rescue-" + UUID.randomUUID());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    // One poll, due checks, and hand-backs that wait for their launcher (up to a minute).
    p.setProperty("org.quartz.threadPool.threadCount", "4");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    try {
      scheduler = new StdSchedulerFactory(p).getScheduler();
    } catch (SchedulerException e) {
      throw new IllegalStateException("the rescuer's Quartz scheduler did not start: " + e, e);
    }
  }

  /** Starts polling every {@code interval}; the first poll runs at once. */
  public void start(Rescuer rescuer, HandBack handBack, Duration interval) {
    try {
      scheduler.getContext().put(RESCUER, rescuer);
      scheduler.getContext().put(HAND_BACK, handBack);
      scheduler.scheduleJob(
          JobBuilder.newJob(PollJob.class).withIdentity("poll").build(),
          TriggerBuilder.newTrigger()
              .withIdentity("poll")
              .startNow()
              .withSchedule(
                  SimpleScheduleBuilder.simpleSchedule()
                      .withIntervalInMilliseconds(interval.toMillis())
                      .repeatForever()
                      .withMisfireHandlingInstructionNextWithRemainingCount())
              .build());
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
            .startAt(Date.from(when))
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

  /** Lists the watched partitions' pending jobs. */
  @DisallowConcurrentExecution
  public static final class PollJob implements Job {
    private static volatile String lastFailure;

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      try {
        part(context, RESCUER, Rescuer.class).poll();
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
        part(context, RESCUER, Rescuer.class).due(id);
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
        part(context, HAND_BACK, HandBack.class).handBack(id);
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "rescue: handing job " + id + " back failed", e);
      }
    }
  }
}
