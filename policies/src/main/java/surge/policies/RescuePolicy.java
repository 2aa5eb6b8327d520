package surge.policies;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether the rescuer may move a pending batch job to the volunteer partition. The rescuer asks at
 * the job's due time (eligible time plus {@code --rescue-after}); the answer is logged once.
 *
 * <p>Every implementation must pass {@code RescuePolicyContract} (in this module's test-jar): it
 * never rescues a job that did not opt in or is not yet due, and always says why. {@link
 * #preconditions} does those two checks for an implementation that wants them.
 */
public interface RescuePolicy {

  /** Decides on {@code candidate} at {@code now}; never null. */
  RescueDecision decide(RescueCandidate candidate, Instant now);

  /** The refusal every policy owes a job that did not opt in or is not due yet, if any. */
  static Optional<RescueDecision> preconditions(RescueCandidate candidate, Instant now) {
    if (candidate.rescueAfter().isEmpty()) {
      return Optional.of(
          RescueDecision.refuse(
              RescueDecision.Reason.NOT_OPTED_IN,
              "job " + candidate.slurmJobId() + " has no #OFFLOAD --rescue-after line"));
    }
    Instant due = candidate.dueAt().orElseThrow();
    if (now.isBefore(due)) {
      return Optional.of(
          RescueDecision.refuse(
              RescueDecision.Reason.NOT_DUE,
              "job "
                  + candidate.slurmJobId()
                  + " may be rescued from "
                  + due
                  + " (eligible "
                  + candidate.eligibleAt()
                  + " + rescue-after "
                  + candidate.rescueAfter().get()
                  + ")"));
    }
    return Optional.empty();
  }
}
