package surge.rescue.control;

import java.time.Instant;

/** Runs the rescue's work at the right time: Quartz in the server, a list in tests. */
public interface RescueTimer {
  /** Calls {@link Rescuer#due} for the job at {@code when} (at once if past). */
  void at(Instant when, String slurmJobId);

  /** Calls {@link HandBack#handBack} for the job soon, on a thread of its own. */
  void handBack(String slurmJobId);
}
