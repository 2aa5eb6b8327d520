package surge.jobs.control;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * Tells who keeps jobs in memory that a job's end is stored: the journal (a failure or cancellation
 * committed) and the merger (a merge ended) say so here, and the dispatcher, made after them since
 * it writes to the journal, listens. It replaces a holder array that broke the construction cycle.
 */
public final class EndedJobs implements LongConsumer {
  private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();

  /** From now on, {@code listener} hears every ended job's sequence. */
  public void listen(LongConsumer listener) {
    listeners.add(listener);
  }

  /** The job with this sequence has ended and its end is stored. */
  @Override
  public void accept(long sequence) {
    for (LongConsumer l : listeners) {
      l.accept(sequence);
    }
  }
}
