package surge.jobs.control;

import java.time.Clock;
import java.util.Optional;
import surge.api.Problem;
import surge.jobs.entity.Input;
import surge.persistence.ContentAddressed;
import surge.persistence.Database;

/** Uploaded input files, content-addressed. */
public final class Inputs {
  private final Database db;
  private final long maxBytes;
  private final Clock clock;

  public Inputs(Database db, long maxBytes, Clock clock) {
    this.db = db;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  public record Stored(String sha256, long size, boolean created) {}

  public Stored upload(byte[] bytes) {
    if (bytes.length > maxBytes) {
      throw Problem.tooLarge(
          "input",
          "the input is "
              + bytes.length
              + " bytes; the limit is "
              + maxBytes
              + " (SURGE_MAX_INPUT_BYTES)");
    }
    var input = new Input(bytes, clock.instant());
    boolean created = ContentAddressed.storeOnce(db, input);
    return new Stored(input.sha256(), bytes.length, created);
  }

  public Optional<byte[]> bytes(String sha256) {
    return db.transaction(s -> Optional.ofNullable(s.find(Input.class, sha256)).map(Input::bytes));
  }
}
