package surge.ops.control;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import surge.dispatch.DispatchStats;

/**
 * Whether the application itself works: database answering, journal writing, dispatcher ticking.
 */
public final class Health {
  /** The dispatcher ticks every 200 ms; silence this long means it is stuck. */
  private static final long TICK_SILENCE_MILLIS = 5_000;

  private final BooleanSupplier database;
  private final BooleanSupplier journal;
  private final Supplier<DispatchStats> dispatcher;
  private final LongSupplier millis;

  public Health(
      BooleanSupplier database,
      BooleanSupplier journal,
      Supplier<DispatchStats> dispatcher,
      LongSupplier millis) {
    this.database = database;
    this.journal = journal;
    this.dispatcher = dispatcher;
    this.millis = millis;
  }

  /** One check of each part, and the volunteers connected. */
  public record Report(boolean database, boolean journal, boolean dispatcher, int volunteers) {
    public boolean up() {
      return database && journal && dispatcher;
    }
  }

  public Report check() {
    var stats = dispatcher.get();
    boolean ticking = millis.getAsLong() - stats.lastTickMillis() < TICK_SILENCE_MILLIS;
    return new Report(database.getAsBoolean(), journal.getAsBoolean(), ticking, stats.volunteers());
  }
}
