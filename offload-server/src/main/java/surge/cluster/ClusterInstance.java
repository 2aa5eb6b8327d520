package surge.cluster;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One lease of one server instance. The epoch is the fencing token: a new row (a new epoch) for
 * every lease an instance takes, so a lease that lapsed is never renewed. Written only by {@link
 * InstanceLease} in SQL, with the database's clock; the entity is here for the schema.
 */
@Entity
@Table(
    name = "cluster_instances",
    indexes = @Index(name = "cluster_instances_lease", columnList = "lease_until"))
public class ClusterInstance {
  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "cluster_epochs")
  @SequenceGenerator(name = "cluster_epochs", sequenceName = "cluster_epochs", allocationSize = 1)
  @Column(name = "epoch")
  private long epoch;

  @Column(name = "name", nullable = false, length = 200)
  private String name;

  @Column(name = "lease_until", nullable = false)
  private Instant leaseUntil;

  @Column(name = "started_at", nullable = false)
  private Instant startedAt;

  protected ClusterInstance() {}

  public long epoch() {
    return epoch;
  }

  public String name() {
    return name;
  }

  public Instant leaseUntil() {
    return leaseUntil;
  }
}
