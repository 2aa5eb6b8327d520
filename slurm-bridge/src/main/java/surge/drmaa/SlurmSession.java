package surge.drmaa;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ggf.drmaa.AlreadyActiveSessionException;
import org.ggf.drmaa.DrmCommunicationException;
import org.ggf.drmaa.DrmaaException;
import org.ggf.drmaa.DrmsInitException;
import org.ggf.drmaa.InvalidContactStringException;
import org.ggf.drmaa.InvalidJobException;
import org.ggf.drmaa.InvalidJobTemplateException;
import org.ggf.drmaa.JobInfo;
import org.ggf.drmaa.JobTemplate;
import org.ggf.drmaa.NoActiveSessionException;
import org.ggf.drmaa.Session;
import org.ggf.drmaa.Version;
import surge.slurmcommon.command.JobRecord;
import surge.slurmcommon.command.SlurmCommands;

/**
 * A DRMAA 1.0 session on Slurm: jobs are submitted with {@code sbatch} to the contact string's
 * partition ({@code volunteer} unless it names another), so Slurm schedules and accounts them like
 * any other, and are followed with {@code scontrol show job}, which keeps ended jobs for {@code
 * MinJobAge}. Control is {@code scancel} and {@code scontrol uhold/release/suspend/resume}; see
 * {@link JobControl}. Thread-safe: any number of threads may submit and wait at once.
 */
final class SlurmSession implements Session {
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  private final Slurm slurm;
  private final Site site;
  private final ZoneId zone = ZoneId.systemDefault();
  private volatile Active active;
  private volatile String slurmVersion;

  /** One init..exit: the contact and the jobs submitted in between. */
  private record Active(Contact contact, SessionJobs jobs) {}

  /** The session of {@link SlurmSessionFactory}: Slurm commands get this process's environment. */
  SlurmSession() {
    this(Map.of(), COMMAND_TIMEOUT, Site.ofThisProcess());
  }

  /** With more environment for the Slurm commands (tests: the test cluster's SLURM_CONF). */
  SlurmSession(Map<String, String> extraEnv, Duration commandTimeout, Site site) {
    this.slurm = new Slurm(SlurmCommands.inheriting(extraEnv, commandTimeout));
    this.site = site;
  }

  @Override
  public synchronized void init(String contact) throws DrmaaException {
    if (active != null) {
      throw new AlreadyActiveSessionException(
          "the session is already active (" + active.contact() + "); call exit() first");
    }
    Contact parsed = Contact.parse(contact);
    try {
      if (slurm.partition(parsed.partition()).isEmpty()) {
        throw new InvalidContactStringException(
            "contact string '" + contact + "': Slurm has no partition " + parsed.partition());
      }
    } catch (DrmCommunicationException e) {
      throw new DrmsInitException("cannot reach Slurm: " + e.getMessage());
    }
    active = new Active(parsed, new SessionJobs());
  }

  /** Ends the session; its jobs go on in Slurm. Threads waiting in it get NoActiveSession. */
  @Override
  public synchronized void exit() throws DrmaaException {
    if (active == null) {
      throw new NoActiveSessionException("exit() without init()");
    }
    active = null;
  }

  private Active active() throws NoActiveSessionException {
    Active a = active;
    if (a == null) {
      throw new NoActiveSessionException("the session is not active: call init() first");
    }
    return a;
  }

  /** Still the same session after a pause? A wait that outlives exit() ends with this. */
  private void stillActive(Active a) throws NoActiveSessionException {
    if (active != a) {
      throw new NoActiveSessionException("the session ended (exit()) while waiting");
    }
  }

  @Override
  public JobTemplate createJobTemplate() throws DrmaaException {
    active();
    return new SurgeJobTemplate();
  }

  @Override
  public void deleteJobTemplate(JobTemplate template) throws DrmaaException {
    active();
    if (!(template instanceof SurgeJobTemplate)) {
      throw new InvalidJobTemplateException("not a template of this session's createJobTemplate()");
    }
    ((SurgeJobTemplate) template).delete();
  }

  @Override
  public String runJob(JobTemplate template) throws DrmaaException {
    Active a = active();
    SbatchRequest request = SbatchRequest.of(usable(template), a.contact(), null, site, zone);
    String id = slurm.submit(request);
    a.jobs().add(List.of(id));
    return id;
  }

  /** One Slurm job array; the ids are its elements, {@code ARRAYID_INDEX}. */
  @Override
  public List<String> runBulkJobs(JobTemplate template, int start, int end, int incr)
      throws DrmaaException {
    Active a = active();
    BulkRange range = new BulkRange(start, end, incr);
    SbatchRequest request = SbatchRequest.of(usable(template), a.contact(), range, site, zone);
    List<String> ids = range.ids(slurm.submit(request));
    a.jobs().add(ids);
    return ids;
  }

  private static JobTemplate usable(JobTemplate template) throws InvalidJobTemplateException {
    if (template == null) {
      throw new InvalidJobTemplateException("the job template is null");
    }
    if (template instanceof SurgeJobTemplate && ((SurgeJobTemplate) template).isDeleted()) {
      throw new InvalidJobTemplateException("the job template was deleted");
    }
    return template;
  }

  @Override
  public void control(String jobId, int action) throws DrmaaException {
    Active a = active();
    JobControl control = new JobControl(slurm, a.jobs(), id -> record(a, id));
    if (JOB_IDS_SESSION_ALL.equals(jobId)) {
      control.all(a.jobs().unreaped(), action);
    } else {
      control.one(jobId, action);
    }
  }

  @Override
  public int getJobProgramStatus(String jobId) throws DrmaaException {
    Active a = active();
    return ProgramStatus.of(record(a, jobId), a.jobs().suspendedBySession(jobId));
  }

  @Override
  public JobInfo wait(String jobId, long timeout) throws DrmaaException {
    Active a = active();
    Poll poll = Poll.within(timeout);
    boolean any = JOB_IDS_SESSION_ANY.equals(jobId);
    while (true) {
      if (any) {
        List<String> ids = a.jobs().unreaped();
        if (ids.isEmpty()) {
          throw new InvalidJobException("no job of this session is left to wait for");
        }
        for (Map.Entry<String, JobRecord> e : look(a, ids).entrySet()) {
          if (ProgramStatus.ended(e.getValue()) && a.jobs().reap(e.getKey())) {
            return new SlurmJobInfo(e.getKey(), e.getValue(), zone);
          }
        }
      } else {
        refuseReaped(a, jobId);
        JobRecord record = record(a, jobId);
        if (ProgramStatus.ended(record)) {
          if (a.jobs().reap(jobId)) {
            return new SlurmJobInfo(jobId, record, zone);
          }
          refuseReaped(a, jobId); // another thread's wait reaped it meanwhile
        }
      }
      poll.pause(any ? "any job of the session" : "job " + jobId);
      stillActive(a);
    }
  }

  @Override
  public void synchronize(List jobIds, long timeout, boolean dispose) throws DrmaaException {
    Active a = active();
    if (jobIds == null) {
      throw new IllegalArgumentException("jobIds is null");
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (Object id : jobIds) {
      if (JOB_IDS_SESSION_ALL.equals(id)) {
        wanted.addAll(a.jobs().unreaped());
      } else {
        wanted.add(String.valueOf(id));
      }
    }
    for (String id : wanted) {
      refuseReaped(a, id);
    }
    Poll poll = Poll.within(timeout);
    Set<String> running = new LinkedHashSet<>(wanted);
    while (true) {
      look(a, new ArrayList<>(running))
          .forEach(
              (id, r) -> {
                if (ProgramStatus.ended(r)) {
                  running.remove(id);
                }
              });
      if (running.isEmpty()) {
        break;
      }
      poll.pause(running.size() + " job(s): " + String.join(", ", running));
      stillActive(a);
    }
    if (dispose) {
      wanted.forEach(a.jobs()::reap);
    }
  }

  private static void refuseReaped(Active a, String id) throws InvalidJobException {
    if (a.jobs().isReaped(id)) {
      throw new InvalidJobException(
          "job " + id + ": its information was already taken by wait() or synchronize(dispose)");
    }
  }

  /**
   * The records of IDS, all jobs of the session: one {@code scontrol show job} each for a few, else
   * one for all jobs.
   */
  private Map<String, JobRecord> look(Active a, List<String> ids) throws DrmaaException {
    Map<String, JobRecord> records = new LinkedHashMap<>();
    Map<String, JobRecord> all = ids.size() > 2 ? slurm.showAll() : Map.of();
    for (String id : ids) {
      JobRecord record = all.get(id);
      records.put(id, record != null ? record : record(a, id));
    }
    return records;
  }

  /**
   * The record of job ID. A job of this session that Slurm no longer knows was cancelled before it
   * ran (Slurm 22.05 drops a cancelled pending element of an array that was never split at once:
   * {@code Job N_1 not found}) or ended more than {@code MinJobAge} ago: it reads as cancelled and
   * never run (FAILED, {@code wasAborted}). Any other unknown id is an InvalidJobException.
   */
  private JobRecord record(Active a, String id) throws DrmaaException {
    try {
      return slurm.show(id);
    } catch (InvalidJobException e) {
      if (a.jobs().isOfSession(id)) {
        return JobRecord.forgotten(id);
      }
      throw e;
    }
  }

  @Override
  public String getContact() {
    Active a = active;
    return (a == null ? Contact.DEFAULT : a.contact()).toString();
  }

  @Override
  public Version getVersion() {
    return new Version(1, 0);
  }

  /** {@code Slurm 22.05.8}: the version from {@code sinfo --version}, asked once. */
  @Override
  public String getDrmSystem() {
    String version = slurmVersion;
    if (version == null) {
      try {
        version = slurm.version();
        slurmVersion = version;
      } catch (DrmaaException e) {
        return "Slurm";
      }
    }
    return "Slurm " + version;
  }

  @Override
  public String getDrmaaImplementation() {
    String version = SlurmSession.class.getPackage().getImplementationVersion();
    return "Surge DRMAA 1.0 binding for Slurm (surge.drmaa "
        + (version == null ? "development build" : version)
        + ")";
  }
}
