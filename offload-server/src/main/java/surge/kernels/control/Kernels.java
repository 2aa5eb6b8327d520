package surge.kernels.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import surge.api.Hashes;
import surge.api.Problem;
import surge.kernels.entity.Kernel;
import surge.persistence.ContentAddressed;
import surge.persistence.Database;

/** The kernel store: validated, content-addressed, cached in memory once read. */
public final class Kernels {
  /**
   * Validations run one at a time: validating holds about 50 bytes of heap per code byte (measured:
   * 4 MiB of one-byte instructions, 210 MB for 5 s), so parallel uploads must not multiply that.
   */
  private final Semaphore validating = new Semaphore(1, true);

  private final Database db;
  private final long maxBytes;
  private final KernelValidator validator;
  private final Clock clock;
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  public Kernels(Database db, long maxBytes, KernelLimits limits, Clock clock) {
    this.db = db;
    this.maxBytes = maxBytes;
    this.validator = new KernelValidator(limits);
    this.clock = clock;
  }

  /**
   * Reads an upload of {@code declaredLength} bytes (when the request says) and stores it: a body
   * over SURGE_MAX_KERNEL_BYTES is refused before it is read, or as soon as it grows past the
   * limit.
   */
  public Stored upload(InputStream body, OptionalLong declaredLength) {
    return upload(body, declaredLength, () -> {});
  }

  /**
   * As above; {@code beforeNew} runs once the bytes are read, before a kernel not yet stored is
   * validated (validation costs CPU: the caller's rate is charged there), and may refuse by
   * throwing. Sending a stored kernel again does not run it.
   */
  public Stored upload(InputStream body, OptionalLong declaredLength, Runnable beforeNew) {
    if (declaredLength.isPresent() && declaredLength.getAsLong() > maxBytes) {
      throw tooLarge(declaredLength.getAsLong() + " bytes");
    }
    var out = new ByteArrayOutputStream();
    byte[] chunk = new byte[64 * 1024];
    try (body) {
      for (int n; (n = body.read(chunk)) > 0; ) {
        if (out.size() + (long) n > maxBytes) {
          throw tooLarge("more than " + maxBytes + " bytes");
        }
        out.write(chunk, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the uploaded kernel failed", e);
    }
    byte[] bytes = out.toByteArray();
    if (!exists(surge.api.Hashes.sha256(bytes))) {
      beforeNew.run();
    }
    return upload(bytes);
  }

  private Problem tooLarge(String size) {
    return Problem.tooLarge(
        "kernel",
        "the kernel is " + size + "; the limit is " + maxBytes + " (SURGE_MAX_KERNEL_BYTES)");
  }

  /** The outcome of an upload: its address, whether it was new, and what it imports. */
  public record Stored(String sha256, long size, boolean created, List<String> imports) {}

  public Stored upload(byte[] bytes) {
    if (bytes.length == 0) {
      throw Problem.badField("kernel", "the kernel is empty");
    }
    if (bytes.length > maxBytes) {
      throw tooLarge(bytes.length + " bytes");
    }
    List<String> imports = validateOneAtATime(bytes);
    var kernel = new Kernel(bytes, clock.instant());
    String sha = kernel.sha256();
    boolean created = ContentAddressed.storeOnce(db, kernel);
    cache.put(sha, bytes);
    return new Stored(sha, bytes.length, created, imports);
  }

  private List<String> validateOneAtATime(byte[] bytes) {
    try {
      if (!validating.tryAcquire(30, TimeUnit.SECONDS)) {
        throw new Problem(
            503, "kernel", "the server is busy validating other kernels; try again in a minute");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Problem(503, "kernel", "the server is stopping");
    }
    try {
      return validator.validate(bytes);
    } finally {
      validating.release();
    }
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
