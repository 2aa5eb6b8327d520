package surge.kernels.entity;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.Instant;
import surge.persistence.ContentAddressed;

/** A validated WebAssembly kernel, addressed by the sha256 of its bytes. */
@Entity
@Table(name = "kernels")
public class Kernel extends ContentAddressed {
  protected Kernel() {}

  public Kernel(byte[] bytes, Instant uploadedAt) {
    super(bytes, uploadedAt);
  }
}
