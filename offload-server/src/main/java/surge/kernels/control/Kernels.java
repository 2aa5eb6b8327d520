package surge.kernels.control;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import surge.api.Hashes;
import surge.api.Problem;
import surge.kernels.entity.Kernel;
import surge.persistence.ContentAddressed;
import surge.persistence.Database;

/** The kernel store: validated, content-addressed, cached in memory once read. */
public final class Kernels {
  private final Database db;
  private final long maxBytes;
  private final Clock clock;
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  public Kernels(Database db, long maxBytes, Clock clock) {
    this.db = db;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  /** The outcome of an upload: its address, whether it was new, and what it imports. */
  public record Stored(String sha256, long size, boolean created, List<String> imports) {}

  public Stored upload(byte[] bytes) {
    if (bytes.length == 0) {
      throw Problem.badField("kernel", "the kernel is empty");
    }
    if (bytes.length > maxBytes) {
      throw Problem.tooLarge(
          "kernel",
          "the kernel is "
              + bytes.length
              + " bytes; the limit is "
              + maxBytes
              + " (SURGE_MAX_KERNEL_BYTES)");
    }
    List<String> imports = KernelValidator.validate(bytes);
    var kernel = new Kernel(bytes, clock.instant());
    String sha = kernel.sha256();
    boolean created = ContentAddressed.storeOnce(db, kernel);
    cache.put(sha, bytes);
    return new Stored(sha, bytes.length, created, imports);
  }

  public Optional<byte[]> bytes(String sha256) {
    if (!Hashes.isSha256(sha256)) {
      return Optional.empty();
    }
    byte[] cached = cache.get(sha256);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<byte[]> stored =
        db.transaction(s -> Optional.ofNullable(s.find(Kernel.class, sha256)).map(Kernel::bytes));
    stored.ifPresent(b -> cache.put(sha256, b));
    return stored;
  }

  public boolean exists(String sha256) {
    return bytes(sha256).isPresent();
  }
}
