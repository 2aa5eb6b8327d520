package surge.jobs.control;

import java.time.Clock;
import java.util.Optional;
import surge.api.Problem;
import surge.identity.control.Caller;
import surge.jobs.entity.Input;
import surge.jobs.entity.InputUpload;
import surge.persistence.ContentAddressed;
import surge.persistence.Database;
import surge.quotas.control.Quotas;

/**
 * Uploaded input files, content-addressed, with who uploaded them: a job may use an input its owner
 * uploaded (sending the same bytes counts: it proves the caller has them), and operators may use
 * any. Everyone else is told there is no such input.
 */
public final class Inputs {
  private final Database db;
  private final long maxBytes;
  private final Clock clock;

  private final Quotas quotas;

  public Inputs(Database db, long maxBytes, Clock clock, Quotas quotas) {
    this.quotas = quotas;
    this.db = db;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  public record Stored(String sha256, long size, boolean created) {}

  public Stored upload(Caller caller, byte[] bytes) {
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
    String key = InputUpload.key(input.sha256(), caller.name());
    if (db.transaction(s -> s.find(InputUpload.class, key)) != null) {
      // The caller has these bytes already: nothing is stored, nothing is charged.
      return new Stored(input.sha256(), bytes.length, false);
    }
    return quotas.upload(
        caller,
        "input",
        bytes.length,
        () -> {
          boolean created = ContentAddressed.storeOnce(db, input);
          db.run(
              s -> {
                if (s.find(InputUpload.class, key) == null) {
                  s.persist(new InputUpload(input.sha256(), caller.name(), clock.instant()));
                }
              });
          return new Stored(input.sha256(), bytes.length, created);
        });
  }

  /** The bytes of an input {@code caller} may use; empty if none or not theirs. */
  public Optional<byte[]> bytesFor(Caller caller, String sha256) {
    if (!caller.operator()
        && db.transaction(s -> s.find(InputUpload.class, InputUpload.key(sha256, caller.name())))
            == null) {
      return Optional.empty();
    }
    return bytes(sha256);
  }

  /** The bytes of an input, for the server's own work (recovering a stored job). */
  public Optional<byte[]> bytes(String sha256) {
    return db.transaction(s -> Optional.ofNullable(s.find(Input.class, sha256)).map(Input::bytes));
  }
}
