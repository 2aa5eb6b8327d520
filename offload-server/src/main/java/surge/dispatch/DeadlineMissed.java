package surge.dispatch;

import java.util.Optional;

/**
 * Told when a job misses its deadline, just before the dispatcher fails it. Called with the
 * dispatcher's lock held: an implementation must answer at once and do any slow work elsewhere.
 */
@FunctionalInterface
public interface DeadlineMissed {

  /** A sentence added to the failure's message (what happens next), if any. */
  Optional<String> note(DispatchJob job);
}
