package surge.jobs.entity;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.Instant;
import surge.persistence.ContentAddressed;

/** An uploaded input file, addressed by its sha256, that jobs split among their tasks. */
@Entity
@Table(name = "inputs")
public class Input extends ContentAddressed {
  protected Input() {}

  public Input(byte[] bytes, Instant uploadedAt) {
    super(bytes, uploadedAt);
  }
}
