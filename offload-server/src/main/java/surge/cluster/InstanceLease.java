package surge.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * This instance's lease in {@code cluster_instances}: taken with a new epoch, renewed while it is
 * live, and never revived once it lapsed. A lease that lapsed (the instance was frozen, or cut off
 * from the database, for longer than its length) is taken again under a new epoch, so whatever the
 * old epoch claimed is fenced off: another instance may hold it already.
 */
public final class InstanceLease {
  private static final String TAKE =
      "insert into cluster_instances (epoch, name, lease_until, started_at)"
          + " values (nextval('cluster_epochs'), ?, now() + make_interval(secs => ?), now())"
          + " returning epoch";

  private static final String RENEW =
      "update cluster_instances set lease_until = now() + make_interval(secs => ?)"
          + " where epoch = ? and lease_until > now()";

  private static final String END = "delete from cluster_instances where epoch = ?";

  private final String name;
  private final Duration length;
  private volatile long epoch = -1;

  public InstanceLease(String name, Duration length) {
    this.name = name;
    this.length = length;
  }

  /** Takes a new lease (a new epoch). */
  public long take(Connection c) throws SQLException {
    try (var take = c.prepareStatement(TAKE)) {
      take.setString(1, name);
      take.setDouble(2, length.toMillis() / 1000.0);
      try (var rows = take.executeQuery()) {
        rows.next();
        epoch = rows.getLong(1);
        return epoch;
      }
    }
  }

  /** Extends the lease; false if it had lapsed already (take a new one). */
  public boolean renew(Connection c) throws SQLException {
    try (var renew = c.prepareStatement(RENEW)) {
      renew.setDouble(1, length.toMillis() / 1000.0);
      renew.setLong(2, epoch);
      return renew.executeUpdate() == 1;
    }
  }

  /** Gives the lease up (a clean stop). */
  public void end(Connection c) throws SQLException {
    try (var end = c.prepareStatement(END)) {
      end.setLong(1, epoch);
      end.executeUpdate();
    }
  }

  public String name() {
    return name;
  }

  /** The fencing token of the current lease; -1 before the first. */
  public long epoch() {
    return epoch;
  }

  public Duration length() {
    return length;
  }
}
