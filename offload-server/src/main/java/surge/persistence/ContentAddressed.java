package surge.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import java.time.Instant;
import surge.api.Hashes;

/**
 * Bytes stored under the sha256 of their content: immutable, and stored once however often sent.
 */
@MappedSuperclass
public abstract class ContentAddressed {
  @Id
  @Column(name = "sha256", length = 64)
  private String sha256;

  @Column(name = "bytes", nullable = false, length = 1 << 30)
  private byte[] bytes;

  @Column(name = "size", nullable = false)
  private long size;

  @Column(name = "uploaded_at", nullable = false)
  private Instant uploadedAt;

  protected ContentAddressed() {}

  protected ContentAddressed(byte[] bytes, Instant uploadedAt) {
    this.sha256 = Hashes.sha256(bytes);
    this.bytes = bytes;
    this.size = bytes.length;
    this.uploadedAt = uploadedAt;
  }

  /**
   * Stores {@code blob} unless its hash is stored already; true if it was new. Two stores of the
   * same bytes at once may both find nothing; the second commit then fails on the key, and since
   * the stored row holds the same bytes (same hash), that one is reported as not new.
   */
  public static boolean storeOnce(Database db, ContentAddressed blob) {
    try {
      return db.transaction(
          s -> {
            if (s.find(blob.getClass(), blob.sha256) != null) {
              return false;
            }
            s.persist(blob);
            return true;
          });
    } catch (RuntimeException e) {
      boolean storedMeanwhile = db.transaction(s -> s.find(blob.getClass(), blob.sha256) != null);
      if (storedMeanwhile) {
        return false;
      }
      throw e;
    }
  }

  public String sha256() {
    return sha256;
  }

  public byte[] bytes() {
    return bytes;
  }

  public long size() {
    return size;
  }
}
