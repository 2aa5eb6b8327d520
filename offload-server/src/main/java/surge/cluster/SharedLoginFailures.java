package surge.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.admin.control.LoginThrottle;
import surge.persistence.Database;

/**
 * The dashboard login's failures in PostgreSQL ({@code login_failures}, Flyway V5), shared by the
 * instances of a cluster: a guesser who spreads tries over the instances behind nginx waits as long
 * as on one. Each check reads one row pair and each failure writes it, in the database's clock; a
 * database that does not answer makes every check wait the longest (slow, never open).
 */
public final class SharedLoginFailures implements LoginThrottle.SharedFailures {
  private static final Logger LOG = Logger.getLogger(SharedLoginFailures.class.getName());

  /** The row that counts every address's failures in the current minute. */
  private static final String ALL = "*";

  private static final String SEEN =
      "select address, failures,"
          + " cast(extract(epoch from (now() - last_failure)) * 1000 as bigint),"
          + " cast(extract(epoch from (now() - window_start)) * 1000 as bigint)"
          + " from login_failures where address in (?, '*')";

  /**
   * The address's count (restarted 15 minutes after its last) and the minute's, in one statement.
   */
  private static final String FAILED =
      "insert into login_failures (address, failures, last_failure, window_start)"
          + " values (?, 1, now(), now()), ('*', 1, now(), now())"
          + " on conflict (address) do update set failures = case"
          + " when login_failures.address = '*'"
          + " and login_failures.window_start < now() - interval '1 minute' then 1"
          + " when login_failures.address <> '*'"
          + " and login_failures.last_failure < now() - interval '15 minutes' then 1"
          + " else login_failures.failures + 1 end,"
          + " window_start = case when login_failures.address = '*'"
          + " and login_failures.window_start < now() - interval '1 minute' then now()"
          + " else login_failures.window_start end,"
          + " last_failure = now()";

  /** Addresses forgotten 15 minutes after their last failure: the table stays small. */
  private static final String FORGET =
      "delete from login_failures where last_failure < now() - interval '15 minutes'"
          + " and address <> '*'";

  private static final String SUCCEEDED = "delete from login_failures where address = ?";

  private final Database db;

  public SharedLoginFailures(Database db) {
    this.db = db;
  }

  @Override
  public Seen seen(String address) {
    String key = key(address);
    try {
      return db.transaction(
          s ->
              s.doReturningWork(
                  c -> {
                    int failures = 0;
                    long since = Long.MAX_VALUE;
                    int minute = 0;
                    try (var q = c.prepareStatement(SEEN)) {
                      q.setString(1, key);
                      try (var rows = q.executeQuery()) {
                        while (rows.next()) {
                          if (rows.getString(1).equals(ALL)) {
                            minute = rows.getLong(4) < 60_000 ? rows.getInt(2) : 0;
                          } else {
                            failures = rows.getInt(2);
                            since = rows.getLong(3);
                          }
                        }
                      }
                    }
                    return new Seen(failures, since, minute);
                  }));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "login failures unreadable; this check waits the longest", e);
      return new Seen(0, Long.MAX_VALUE, Integer.MAX_VALUE);
    }
  }

  @Override
  public void failed(String address) {
    String key = key(address);
    write(
        "a failed login",
        c -> {
          try (var up = c.prepareStatement(FAILED);
              var forget = c.prepareStatement(FORGET)) {
            up.setString(1, key);
            up.executeUpdate();
            forget.executeUpdate();
          }
        });
  }

  @Override
  public void succeeded(String address) {
    String key = key(address);
    write(
        "a successful login",
        c -> {
          try (var del = c.prepareStatement(SUCCEEDED)) {
            del.setString(1, key);
            del.executeUpdate();
          }
        });
  }

  private void write(String what, org.hibernate.jdbc.Work work) {
    try {
      db.run(s -> s.doWork(work));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not record " + what + " in login_failures", e);
    }
  }

  /** The address as its row's key: never the minute's row, never longer than the column. */
  static String key(String address) {
    String a = address == null ? "" : address;
    if (a.length() <= 60 && !a.equals(ALL)) {
      return a;
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(a.getBytes(StandardCharsets.UTF_8));
      return "h:" + HexFormat.of().formatHex(d, 0, 24);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
